"""Request id and one access log line per request (probes' successes excepted), as WSGI middleware
around the app's `wsgi_app`, the place Flask's documentation gives middleware.

The id comes from the caller's `X-Request-ID` when it is sane, else a new one; it is added to
every log line of the request (`logs.REQUEST_ID`) and returned in the response header. Each
request runs in a copy of its thread's context, as ASGI servers run theirs: the id and whatever a
view binds with `structlog.contextvars` end with the request, although a gthread worker's thread
serves one request after another.

Not `before_request`/`after_request`/`teardown_request` hooks: Flask passes every hook through
`ensure_sync` (`inspect.iscoroutinefunction`) on every request, and the hooks reach the request,
`g` and the response through proxies and header objects: the three this needs would be a quarter
of a `/health` request's instructions, and this middleware costs a fifth of that (docs/serving.md
C19). Views, hooks and error handlers run with the id set, and every answer, the error handlers'
included, passes through `start_response` here.
"""

import contextvars
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import structlog
from flask import Flask
from werkzeug.wsgi import get_path_info

from .logs import REQUEST_ID, accepted_request_id, access_logged

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REQUEST_ID_HEADER = "X-Request-ID"

logger = structlog.stdlib.get_logger("access")


class RequestContextMiddleware:
    def __init__(self, wsgi_app: "WSGIApplication") -> None:
        self.wsgi_app = wsgi_app

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        return contextvars.copy_context().run(self.serve, environ, start_response)

    def serve(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        candidate = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = accepted_request_id(candidate) or os.urandom(16).hex()
        REQUEST_ID.set(request_id)
        started = time.perf_counter()

        # Quoted: a nested function's annotations are evaluated each time it is defined, and
        # `Callable[...]` alone would cost a few thousand instructions per request.
        def start_with_request_id(
            status: "str", headers: "list[tuple[str, str]]", exc_info: "OptExcInfo | None" = None
        ) -> "Callable[[bytes], object]":
            status_code = int(status[:3])
            path = get_path_info(environ)
            if access_logged(path, status_code):
                logger.info(
                    "request",
                    method=environ["REQUEST_METHOD"],
                    path=path,
                    status=status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], exc_info)

        return self.wsgi_app(environ, start_with_request_id)


def register_request_context(app: Flask) -> None:
    app.wsgi_app = RequestContextMiddleware(app.wsgi_app)  # type: ignore[method-assign]
