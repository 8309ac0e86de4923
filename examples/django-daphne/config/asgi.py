"""The ASGI entry point servers import: `config.asgi:application` (R1, R2).

The views are plain `def` functions: Django runs each request's sync code in a thread of its own,
so blocking ORM calls never stall the event loop (R12).

Django reads the whole body before any middleware runs. When that fails (the client went away,
or the server raised on broken chunked framing) Django gives up without an answer, and the
server answers 500 in its place: `application` answers 400 instead, in the service's JSON shape.
"""

import contextlib
import os
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from django.core.asgi import get_asgi_application

from config.settings import settings_module
from my_service.contract import JSON_CONTENT_TYPE, error_json

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

django_application = get_asgi_application()


async def application(scope: Any, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        await django_application(scope, receive, send)
        return
    started = False

    async def receive_or_disconnect() -> Message:
        try:
            return await receive()
        except Exception:  # the server could not read the body: as if the client had gone
            return {"type": "http.disconnect"}

    async def send_and_track(message: Mapping[str, Any]) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    await django_application(scope, receive_or_disconnect, send_and_track)
    if not started:
        request_id = os.urandom(16).hex()
        body = error_json("the request body could not be read", request_id)
        with contextlib.suppress(Exception):  # nobody may be listening any more
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", JSON_CONTENT_TYPE.encode()),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
