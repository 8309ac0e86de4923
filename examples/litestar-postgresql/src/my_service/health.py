"""Liveness and readiness (R18).

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the lifespan and answers 503 while one
fails, then 200 again once it recovers, with no restart.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

import structlog
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from pydantic import BaseModel

from .settings import Settings

ReadinessCheck = Callable[[], Awaitable[None]]
CheckState = Literal["ok", "down"]

logger = structlog.stdlib.get_logger(__name__)


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, CheckState]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get()
    async def liveness(self) -> Liveness:
        return Liveness()

    @get("/ready")
    async def readiness(
        self, state: State, settings: NamedDependency[Settings]
    ) -> Response[Readiness]:
        checks: dict[str, ReadinessCheck] = state.readiness_checks
        names = list(checks)
        timeout = settings.readiness_timeout_seconds
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(checks[name](), timeout) for name in names),
            return_exceptions=True,
        )
        results: dict[str, CheckState] = {}
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                logger.warning("readiness check failed", check=name, error=repr(outcome))
                results[name] = "down"
            else:
                results[name] = "ok"
        if "down" in results.values():
            return Response(
                Readiness(status="unavailable", checks=results),
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response(Readiness(status="ok", checks=results), status_code=HTTP_200_OK)
