"""Liveness and readiness (R18): Litestar's routes for the checks `readiness.py` runs.

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the lifespan, all within one deadline,
and answers 503 while one fails, then 200 again once it recovers, with no restart.
"""

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency

from .readiness import AsyncCheck, Liveness, Readiness, run_async
from .settings import Settings


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get()
    async def liveness(self) -> Liveness:
        return {"status": "ok"}

    @get("/ready")
    async def readiness(
        self, state: State, settings: NamedDependency[Settings]
    ) -> Response[Readiness]:
        checks: dict[str, AsyncCheck] = state.readiness_checks
        ready = await run_async(checks, within=settings.readiness_timeout_seconds)
        return Response(ready, status_code=ready.status_code)
