"""Request id, the body limit and one access log line per request, as plain ASGI middleware.

Plain ASGI (no `BaseHTTPMiddleware`, no framework header helpers): it costs a few microseconds per
request, and FastAPI and Litestar projects share it. The ASGI types are spelled out here because
the two frameworks type scopes differently.

Every ASGI server plinth offers runs each request in a context of its own
(docs/serving.md C19), so the request id and whatever a handler binds with `structlog.contextvars`
end with the request; nothing needs clearing or resetting here. The id is still set when the server
logs an unhandled exception, so its traceback carries the id too.

The body limit (`MAX_BODY_BYTES`) is checked here, before the framework reads or parses a byte: a
declared `Content-Length` above it is answered 413 at once; a body without one (chunked) is
counted as it arrives and answered 413 when it passes the limit, the rest of it never read. The
scan over the headers that finds the request id finds the length too, so a request without a
body pays nothing for the limit.
"""

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import structlog

from .contract import JSON_CONTENT_TYPE, body_too_large, error_json
from .logs import REQUEST_ID, accepted_request_id, access_logged

Message = MutableMapping[str, Any]
# Receive and send stay `Any`: Starlette types messages as mappings and Litestar as TypedDicts, and
# both frameworks must accept this class around their app.
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
CONTENT_LENGTH = b"content-length"
# Methods whose requests carry no body: nothing to count when they come without a length.
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

logger = structlog.stdlib.get_logger("access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id: str | None = None
        content_length: bytes | None = None
        for name, value in scope["headers"]:
            if name == CONTENT_LENGTH:
                content_length = value
            elif name == REQUEST_ID_HEADER and request_id is None:
                request_id = accepted_request_id(value.decode("latin-1"))
        request_id = request_id or os.urandom(16).hex()
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status_code = 500
        answered = False  # the 413 went out: whatever the app sends after it is dropped

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code
            if answered:
                return
            if message["type"] == "http.response.start":
                status_code = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (REQUEST_ID_HEADER, request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            if content_length is None and scope["method"] in BODILESS_METHODS:
                await self.app(scope, receive, send_with_request_id)
                return

            # Only a request that may carry a body pays for the limit's closures.
            async def too_large() -> None:
                nonlocal answered
                body = error_json(body_too_large(self.max_body_bytes), request_id)
                await send_with_request_id(
                    {
                        "type": "http.response.start",
                        "status": 413,
                        "headers": [
                            (b"content-type", JSON_CONTENT_TYPE.encode()),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"),
                        ],
                    }
                )
                await send_with_request_id({"type": "http.response.body", "body": body})
                answered = True

            received = 0

            async def receive_within_limit() -> Message:
                nonlocal received
                message: Message = await receive()
                if message["type"] == "http.request" and not answered:
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        await too_large()
                if answered:  # the app stops reading as if the client had gone
                    return {"type": "http.disconnect"}
                return message

            if content_length is None:
                await self.app(scope, receive_within_limit, send_with_request_id)
            elif int(content_length) > self.max_body_bytes:
                await too_large()
            else:
                await self.app(scope, receive, send_with_request_id)
        except Exception:
            if not answered:  # after the 413, the app's complaint about the cut body is moot
                raise
        finally:
            if access_logged(scope["path"], status_code):
                logger.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
