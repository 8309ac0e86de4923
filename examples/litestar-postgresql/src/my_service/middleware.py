"""Request id and one access log line per request, as plain ASGI middleware.

Plain ASGI (no `BaseHTTPMiddleware`, no framework header helpers): it costs a few microseconds per
request, and FastAPI and Litestar projects share it. The ASGI types are spelled out here because
the two frameworks type scopes differently.

Every ASGI server plinth offers runs each request in a context of its own (plinth's
docs/RULES.md C19), so the request id and whatever a handler binds with `structlog.contextvars`
end with the request; nothing needs clearing or resetting here. The id is still set when the server
logs an unhandled exception, so its traceback carries the id too.
"""

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import structlog

from .logs import REQUEST_ID, accepted_request_id

Message = MutableMapping[str, Any]
# Receive and send stay `Any`: Starlette types messages as mappings and Litestar as TypedDicts, and
# both frameworks must accept this class around their app.
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
# Orchestrator probes hit these every few seconds per replica: their successes are not logged
# (a failing readiness check logs its own warning, and any 4xx/5xx is logged as usual).
QUIET_PATHS = frozenset({"/health", "/health/ready"})

logger = structlog.stdlib.get_logger("access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = _incoming_request_id(scope["headers"]) or os.urandom(16).hex()
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status_code = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (REQUEST_ID_HEADER, request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            if status_code >= 400 or scope["path"] not in QUIET_PATHS:
                logger.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


def _incoming_request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == REQUEST_ID_HEADER and (accepted := accepted_request_id(value.decode("latin-1"))):
            return accepted
    return None
