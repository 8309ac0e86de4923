"""Liveness and readiness (R18): Litestar's routes for the checks `readiness.py` runs.

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the lifespan, all within one deadline,
and answers 503 while one fails, then 200 again once it recovers, with no restart.
"""

from typing import Literal, TypedDict

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency

from .readiness import AsyncCheck, Readiness, run_async
from .settings import Settings


# `/health`'s body. A TypedDict, not a model: Litestar documents it as the same object and
# serializes the dict the handler returns, where a model would be built, validated and dumped on
# every probe (docs/serving.md C19). A comment, not a docstring: that would become the schema's
# description in the OpenAPI document.
class Liveness(TypedDict):
    status: Literal["ok"]


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
