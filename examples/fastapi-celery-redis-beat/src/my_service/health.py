"""Liveness and readiness (R18): FastAPI's routes for the checks `readiness.py` runs.

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the lifespan, all within one deadline,
and answers 503 while one fails, then 200 again once it recovers, with no restart.
"""

from typing import Literal, TypedDict

from fastapi import APIRouter, Request, Response

from .deps import AppSettings
from .readiness import AsyncCheck, Readiness, run_async

router = APIRouter(prefix="/health", tags=["health"])


# `/health`'s body. A TypedDict, not a model: FastAPI documents it as the same object and serializes
# the dict the handler returns, where a model would be built, validated and dumped on every probe
# (docs/serving.md C19). A comment, not a docstring: that would become the schema's description in
# the OpenAPI document.
class Liveness(TypedDict):
    status: Literal["ok"]


@router.get("")
async def liveness() -> Liveness:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"model": Readiness}})
async def readiness(request: Request, response: Response, settings: AppSettings) -> Readiness:
    checks: dict[str, AsyncCheck] = request.app.state.readiness_checks
    ready = await run_async(checks, within=settings.readiness_timeout_seconds)
    response.status_code = ready.status_code
    return ready
