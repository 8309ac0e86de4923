"""Liveness and readiness (R18): FastAPI's routes for the checks `readiness.py` runs.

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the lifespan, all within one deadline,
and answers 503 while one fails, then 200 again once it recovers, with no restart.
"""

from fastapi import APIRouter, Request, Response

from .deps import AppSettings
from .readiness import AsyncCheck, Liveness, Readiness, run_async

router = APIRouter(prefix="/health", tags=["health"])


@router.get("")
async def liveness() -> Liveness:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"model": Readiness}})
async def readiness(request: Request, response: Response, settings: AppSettings) -> Readiness:
    checks: dict[str, AsyncCheck] = request.app.state.readiness_checks
    ready = await run_async(checks, within=settings.readiness_timeout_seconds)
    response.status_code = ready.status_code
    return ready
