"""Liveness and readiness (R18): Django's probes for the checks `readiness.py` runs.

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every check named in `settings.READINESS_CHECKS`, each on a thread of its
own and all within one deadline (`READINESS_TIMEOUT_SECONDS`), and answers 503 while one fails,
then 200 again once it recovers, with no restart. A hung dependency costs the probe that
deadline, not the dependency's own timeout (waiting for a pooled connection takes longer).

`HealthProbeMiddleware` answers both before host validation and the HTTPS redirect: orchestrators
probe a pod by its IP (not in ALLOWED_HOSTS) over plain HTTP.
"""

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

from .api import error
from .contract import status_detail
from .readiness import BlockingCheck, run_blocking


def check_database(alias: str = "default") -> None:
    connection = connections[alias]  # this thread's own connection
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readiness(request: HttpRequest) -> JsonResponse:
    checks: dict[str, BlockingCheck] = {
        name: import_string(path) for name, path in settings.READINESS_CHECKS.items()
    }
    ready = run_blocking(checks, within=settings.READINESS_TIMEOUT_SECONDS)
    return JsonResponse(ready.model_dump(), status=ready.status_code)


PROBE_METHODS = ("GET", "HEAD")
PROBES: dict[str, Callable[[HttpRequest], JsonResponse]] = {
    "/health": liveness,
    "/health/ready": readiness,
}


class HealthProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method in PROBE_METHODS:
            return probe(request)
        allow = {"Allow": ", ".join(PROBE_METHODS)}
        return error(HTTPStatus.METHOD_NOT_ALLOWED, status_detail(405), allow)
