"""Test-only ASGI probe for tests/test_servers.py; never part of a generated app.

The server runs it in place of the CMD's target (on PYTHONPATH, outside the project). It wraps
the framework's own app object (``PLINTH_PROBE_APP``, ``module:attr``) with a middleware that
answers ``/__probe/...``, then imports the CMD's own target (``PLINTH_PROBE_SERVED``, e.g.
``serving.proxied:app``) as ``app``, so whatever wraps the framework's app wraps the probe.

- ``/__probe/slow?seconds=N``: answers after N seconds (``PLINTH_PROBE_SLOW_SECONDS``);
- ``/__probe/client``: the client address and scheme the app sees (and Django's view of them);
- ``/__probe/context``: sets a context variable and says what it held before (C19);
- ``/__probe/loop``: the worker's pid and the class of its running event loop (R5, C20);
- ``/__probe/body``: reads the whole request body and says how many bytes it had (C31).
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import io
import json
import os
from typing import Any
from urllib.parse import parse_qs

APP_MODULE, APP_ATTR = os.environ["PLINTH_PROBE_APP"].split(":")
SERVED_MODULE, SERVED_ATTR = os.environ["PLINTH_PROBE_SERVED"].split(":")
SLOW_SECONDS = os.environ.get("PLINTH_PROBE_SLOW_SECONDS", "3")

framework_module = importlib.import_module(APP_MODULE)
inner = getattr(framework_module, APP_ATTR)
# Set by every /__probe/context request: a fresh context per request never shows another's value.
SEEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("plinth_probe_seen", default=None)


def django_view_of(scope: dict[str, Any]) -> dict[str, Any]:
    """What Django makes of the request: is_secure() and build_absolute_uri() (R11)."""
    try:
        from django.core.handlers.asgi import ASGIRequest
    except ImportError:
        return {}
    request = ASGIRequest(scope, io.BytesIO())
    return {"secure": request.is_secure(), "url": request.build_absolute_uri("/")}


async def answer(scope: dict[str, Any], receive: Any) -> dict[str, Any]:
    path = scope.get("path", "")
    if path == "/__probe/body":
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        return {"bytes": size}
    if path == "/__probe/slow":
        query = parse_qs(scope.get("query_string", b"").decode())
        await asyncio.sleep(float(query.get("seconds", [SLOW_SECONDS])[0]))
        return {"done": True}
    if path == "/__probe/context":
        previous = SEEN.get()
        SEEN.set(scope.get("query_string", b"").decode())
        await asyncio.sleep(0.05)
        return {"previous": previous, "mine": SEEN.get()}
    if path == "/__probe/loop":
        loop = type(asyncio.get_running_loop())
        return {"pid": os.getpid(), "loop": f"{loop.__module__}.{loop.__name__}"}
    client = scope.get("client") or ("", 0)
    return {"client": client[0], "scheme": scope.get("scheme", "http"), **django_view_of(scope)}


async def probe(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http" or not scope.get("path", "").startswith("/__probe/"):
        await inner(scope, receive, send)
        return
    body = json.dumps(await answer(scope, receive)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# The CMD's own target imports the framework app from its module: patch it first.
setattr(framework_module, APP_ATTR, probe)
app = getattr(importlib.import_module(SERVED_MODULE), SERVED_ATTR)
