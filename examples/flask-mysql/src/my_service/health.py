"""Liveness and readiness (R18).

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the app factory, in parallel and each
within `READINESS_TIMEOUT_SECONDS`, and answers 503 while one fails, then 200 again once it
recovers, with no restart.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Literal

import structlog
from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from .settings import Settings

ReadinessCheck = Callable[[], None]
CheckState = Literal["ok", "down"]

bp = Blueprint("health", __name__, url_prefix="/health")
logger = structlog.stdlib.get_logger(__name__)
# A check that hangs past its timeout keeps one of these threads, not the request's.
_checks_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")


@bp.get("")
def liveness() -> ResponseReturnValue:
    return {"status": "ok"}


@bp.get("/ready")
def readiness() -> ResponseReturnValue:
    settings: Settings = current_app.extensions["settings"]
    checks: dict[str, ReadinessCheck] = current_app.extensions["readiness_checks"]
    futures: dict[str, Future[None]] = {
        name: _checks_pool.submit(check) for name, check in checks.items()
    }
    results: dict[str, CheckState] = {}
    for name, future in futures.items():
        try:
            future.result(timeout=settings.readiness_timeout_seconds)
        except Exception as exc:  # any failure means "not ready"
            logger.warning("readiness check failed", check=name, error=repr(exc))
            results[name] = "down"
        else:
            results[name] = "ok"
    if "down" in results.values():
        return {"status": "unavailable", "checks": results}, 503
    return {"status": "ok", "checks": results}
