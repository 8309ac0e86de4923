"""Request id and one access log line per request (probes' successes excepted), as request hooks.

The id comes from the caller's `X-Request-ID` when it is sane, else a new one; it is added to
every log line of the request (`logs.REQUEST_ID`) and returned in the response header. A gthread
worker's thread keeps its context from one request to the next, so the hooks clear it.
"""

import time
import uuid

import structlog
from flask import Flask, Response, g, request

from .logs import accepted_request_id, access_logged, reset_thread_context

REQUEST_ID_HEADER = "X-Request-ID"

logger = structlog.stdlib.get_logger("access")


def _start() -> None:
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = accepted_request_id(candidate) or uuid.uuid4().hex
    g.request_started = time.perf_counter()
    reset_thread_context(g.request_id)


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.request_id
    if access_logged(request.path, response.status_code):
        logger.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - g.request_started) * 1000, 2),
        )
    return response


def _clear(_: BaseException | None) -> None:
    reset_thread_context()


def register_request_context(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_clear)
