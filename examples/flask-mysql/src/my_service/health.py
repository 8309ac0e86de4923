"""Liveness and readiness (R18): Flask's routes for the checks `readiness.py` runs.

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every readiness check registered by the app factory, each on a thread of its
own and all within one deadline (`READINESS_TIMEOUT_SECONDS`), and answers 503 while one fails,
then 200 again once it recovers, with no restart.
"""

from typing import Any, Literal

from flask import current_app
from flask_openapi.blueprint import APIBlueprint
from pydantic import BaseModel

from .readiness import BlockingCheck, Readiness, run_blocking
from .settings import Settings

bp = APIBlueprint("health", __name__, url_prefix="/health", abp_tags=[{"name": "health"}])


# `/health`'s body, for the OpenAPI document (flask-openapi documents models; the view returns
# the dict). A comment, not a docstring: that would become the schema's description.
class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


@bp.get("", responses={200: Liveness})
def liveness() -> dict[str, str]:
    return {"status": "ok"}


@bp.get("/ready", responses={200: Readiness, 503: Readiness})
def readiness() -> tuple[dict[str, Any], int]:
    settings: Settings = current_app.extensions["settings"]
    checks: dict[str, BlockingCheck] = current_app.extensions["readiness_checks"]
    ready = run_blocking(checks, within=settings.readiness_timeout_seconds)
    return ready.model_dump(), ready.status_code
