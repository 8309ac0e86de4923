"""Liveness and readiness (R18).

`/health` touches nothing external: a failing database must not get healthy workers restarted.
`/health/ready` runs every check named in `settings.READINESS_CHECKS` and answers 503 while one
fails or takes longer than `READINESS_TIMEOUT_SECONDS`, then 200 again once it recovers, with no
restart. Checks run on threads of their own, so a hung dependency costs the probe that timeout,
not the dependency's own (waiting for a pooled connection takes longer).

`HealthProbeMiddleware` answers both before host validation and the HTTPS redirect: orchestrators
probe a pod by its IP (not in ALLOWED_HOSTS) over plain HTTP.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Literal

import structlog
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

from .api import error
from .contract import status_detail

ReadinessCheck = Callable[[], None]
CheckState = Literal["ok", "down"]

logger = structlog.stdlib.get_logger(__name__)


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
    checks: dict[str, ReadinessCheck] = {
        name: import_string(path) for name, path in settings.READINESS_CHECKS.items()
    }
    threads = ThreadPoolExecutor(max_workers=max(1, len(checks)), thread_name_prefix="readiness")
    running = {name: threads.submit(check) for name, check in checks.items()}
    threads.shutdown(wait=False)  # a hung check ends on its own; the probe does not wait for it
    deadline = time.monotonic() + settings.READINESS_TIMEOUT_SECONDS
    results: dict[str, CheckState] = {}
    for name, future in running.items():
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
        except Exception as exc:  # any failure or the timeout means "not ready"
            logger.warning("readiness check failed", check=name, error=repr(exc))
            results[name] = "down"
        else:
            results[name] = "ok"
    if "down" in results.values():
        return JsonResponse({"status": "unavailable", "checks": results}, status=503)
    return JsonResponse({"status": "ok", "checks": results})


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
