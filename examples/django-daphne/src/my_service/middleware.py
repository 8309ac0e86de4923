"""Request id and one access log line per request, probes' successes excepted (Django middleware).

The id is added to every log line of the request (`logs.REQUEST_ID`). A worker thread keeps its
context from one request to the next, so the middleware clears it.
"""

import time
import uuid
from collections.abc import Callable

import structlog
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .logs import accepted_request_id, access_logged, reset_thread_context

REQUEST_ID_HEADER = "X-Request-ID"

logger = structlog.stdlib.get_logger("access")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        candidate = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = accepted_request_id(candidate) or uuid.uuid4().hex
        reset_thread_context(request_id)
        started = time.perf_counter()
        try:
            # Django turns exceptions into responses below this middleware: one always comes back.
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if access_logged(request.path, response.status_code):
                logger.info(
                    "request",
                    method=request.method,
                    path=request.path,
                    status=response.status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            return response
        finally:
            reset_thread_context()
