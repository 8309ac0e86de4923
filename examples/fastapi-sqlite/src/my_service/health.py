"""Liveness and readiness (R18).

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the lifespan and answers 503 while one
fails, then 200 again once it recovers, with no restart.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

import structlog
from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from .deps import AppSettings

ReadinessCheck = Callable[[], Awaitable[None]]
CheckState = Literal["ok", "down"]

router = APIRouter(prefix="/health", tags=["health"])
logger = structlog.stdlib.get_logger(__name__)


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, CheckState]


# A dict checked against the model, not `Liveness()`: FastAPI would dump a model instance only to
# validate it again, which costs about 2 us on every probe.
@router.get("", response_model=Liveness)
async def liveness() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"model": Readiness}})
async def readiness(
    request: Request,
    response: Response,
    settings: AppSettings,
) -> Readiness:
    checks: dict[str, ReadinessCheck] = request.app.state.readiness_checks
    names = list(checks)
    outcomes = await asyncio.gather(
        *(asyncio.wait_for(checks[name](), settings.readiness_timeout_seconds) for name in names),
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
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Readiness(status="unavailable", checks=results)
    return Readiness(status="ok", checks=results)
