"""Test-only WSGI probe for tests/test_servers.py; never part of a generated app.

The WSGI twin of plinth_probe_asgi.py (same environment variables): ``/__probe/slow``,
``/__probe/client`` and ``/__probe/body`` answered by a middleware around the framework's app
object, served through the CMD's own target.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

APP_MODULE, APP_ATTR = os.environ["PLINTH_PROBE_APP"].split(":")
SERVED_MODULE, SERVED_ATTR = os.environ["PLINTH_PROBE_SERVED"].split(":")
SLOW_SECONDS = os.environ.get("PLINTH_PROBE_SLOW_SECONDS", "3")

framework_module = importlib.import_module(APP_MODULE)
inner = getattr(framework_module, APP_ATTR)


def django_view_of(environ: dict[str, Any]) -> dict[str, Any]:
    """What Django makes of the request: is_secure() and build_absolute_uri() (R11)."""
    try:
        from django.core.handlers.wsgi import WSGIRequest
    except ImportError:
        return {}
    request = WSGIRequest(environ)
    return {"secure": request.is_secure(), "url": request.build_absolute_uri("/")}


def answer(environ: dict[str, Any]) -> dict[str, Any]:
    if environ.get("PATH_INFO") == "/__probe/slow":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        time.sleep(float(query.get("seconds", [SLOW_SECONDS])[0]))
        return {"done": True}
    if environ.get("PATH_INFO") == "/__probe/body":
        # On the thread that serves the request, as a WSGI app reads its body (C31).
        length = int(environ.get("CONTENT_LENGTH") or 0)
        return {"bytes": len(environ["wsgi.input"].read(length))}
    seen = {"client": environ["REMOTE_ADDR"], "scheme": environ["wsgi.url_scheme"]}
    return {**seen, **django_view_of(environ)}


def probe(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if not environ.get("PATH_INFO", "").startswith("/__probe/"):
        return inner(environ, start_response)
    body = json.dumps(answer(environ)).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


# The CMD's own target imports the framework app from its module: patch it first.
setattr(framework_module, APP_ATTR, probe)
app = getattr(importlib.import_module(SERVED_MODULE), SERVED_ATTR)
