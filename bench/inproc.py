"""Drive N requests through an app in-process, without a server: the per-request cost of the app.

Run by bench/run.py with the rendered project's Python, usually under
`valgrind --tool=callgrind --toggle-collect=sys_call_tracing`: only what runs inside
`sys.call_tracing(...)` is counted, i.e. the N measured requests, not start-up, imports or the
warm-up requests. Instructions divided by N is the app's own cost of one request, steady to well
under 1 % between runs, where req/s on a shared machine moves by 10 % or more.

    python bench/inproc.py --app pkg.asgi:app --interface asgi --path /health -n 2000
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# This script's directory is not the project's: its modules must not shadow the project's.
# The project's directory is, as servers put it there (Django's `config` package lives there).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, os.getcwd())


RESULT_MARK = "inproc-result: "


def load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


class Asgi:
    def __init__(self, app: Any, method: str, path: str, query: str, body: bytes) -> None:
        self.app, self.body = app, body
        headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), (b"accept", b"*/*")]
        if body:
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        self.lifespan_state: dict[str, Any] = {}

    async def request(self) -> int:
        status = 0
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": self.body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app({**self.scope, "state": dict(self.lifespan_state)}, receive, send)
        return status

    async def lifespan(self) -> asyncio.Future[None]:
        """Start the app's lifespan; the returned future shuts it down when set."""
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def receive() -> dict[str, Any]:
            return await inbox.get()

        async def send(message: dict[str, Any]) -> None:
            if message["type"].startswith("lifespan.startup") and not started.done():
                started.set_result(None)
            if message["type"].startswith("lifespan.shutdown") and not done.done():
                done.set_result(None)

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.lifespan_state}
        task = asyncio.ensure_future(self.app(scope, receive, send))
        await inbox.put({"type": "lifespan.startup"})
        await asyncio.wait([started, task], return_when=asyncio.FIRST_COMPLETED)

        async def stop() -> None:
            await inbox.put({"type": "lifespan.shutdown"})
            await asyncio.wait([done, task], return_when=asyncio.FIRST_COMPLETED)

        self.stop = stop
        return done


class Wsgi:
    def __init__(self, app: Any, method: str, path: str, query: str, body: bytes) -> None:
        self.app, self.body = app, body
        self.environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "50000",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_USER_AGENT": "bench",
            "HTTP_ACCEPT": "*/*",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if body:
            self.environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))

    def request(self) -> int:
        status = ""

        def start_response(s: str, headers: list[Any], exc_info: Any = None) -> Any:
            nonlocal status
            status = s
            return lambda data: None

        result = self.app({**self.environ, "wsgi.input": io.BytesIO(self.body)}, start_response)
        try:
            for _ in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status.split()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--interface", choices=["asgi", "wsgi"], required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--path", default="/health")
    parser.add_argument("--query", default="")
    parser.add_argument("--body", default="")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    app = load(args.app)
    body = args.body.encode()
    statuses: list[int] = []
    started = time.perf_counter()
    if args.interface == "wsgi":
        client = Wsgi(app, args.method, args.path, args.query, body)
        for _ in range(args.warmup):
            client.request()
        started = time.perf_counter()
        sys.call_tracing(lambda: statuses.extend(client.request() for _ in range(args.n)), ())
    else:
        try:
            import uvloop

            loop = uvloop.new_event_loop()
        except ImportError:
            loop = asyncio.new_event_loop()
        asgi = Asgi(app, args.method, args.path, args.query, body)

        async def batch(n: int) -> list[int]:
            return [await asgi.request() for _ in range(n)]

        loop.run_until_complete(asgi.lifespan())
        loop.run_until_complete(batch(args.warmup))
        started = time.perf_counter()
        sys.call_tracing(lambda: statuses.extend(loop.run_until_complete(batch(args.n))), ())
        loop.run_until_complete(asgi.stop())
    elapsed = time.perf_counter() - started
    bad = sorted({s for s in statuses if not 200 <= s < 300})
    # Marked: the app may write its own lines to stdout too.
    print(RESULT_MARK + json.dumps({"n": len(statuses), "seconds": elapsed, "bad_statuses": bad}))
    if bad:
        raise SystemExit(f"non-2xx answers: {bad}")


if __name__ == "__main__":
    main()
