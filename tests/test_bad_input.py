"""Bad input, sent the way an attacker or a sloppy client would, to each framework's generated
service booted by its Dockerfile command (SQLite, one worker), and to FastAPI under every server.

Each app-level case asserts the error contract the generated README documents: the status, a
JSON body (strict JSON) whose `request_id` is the `X-Request-ID` header, never an echo of the
input. Cases the server answers before the app (bad request lines, oversized headers, broken
chunked framing) must never get a 5xx, whatever the body. The server logs no error for any of
it. After the corpus, `/health` still answers and the item stored before is unchanged.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import (
    container_command,
    container_env,
    migrated_database,
    start_server,
    wait_healthy,
)
from matrix import AnswerSet, params, tagged

pytestmark = pytest.mark.deep

MAX_BODY_BYTES = 1_048_576  # the generated default (settings.max_body_bytes)
BEYOND_64_BITS = "9223372036854775808"
BEYOND_THE_COLUMN = "2147483648"  # items.id is a 4-byte integer on PostgreSQL and MySQL


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: bytes | None
    status: int
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)


def _chunks(total: int) -> Any:
    yield b'{"name": "'
    for _ in range(total // 65536):
        yield b"x" * 65536
    yield b'"}'


# The app's own answers: status, JSON, request id (contract.py in the generated project).
CORPUS: list[Case] = [
    Case("id beyond 64 bits", "GET", f"/items/{BEYOND_64_BITS}", None, 422),
    Case("patch id beyond 64 bits", "PATCH", f"/items/{BEYOND_64_BITS}", b'{"name": "x"}', 422),
    Case("delete id beyond 64 bits", "DELETE", f"/items/{BEYOND_64_BITS}", None, 422),
    Case("id beyond the column", "GET", f"/items/{BEYOND_THE_COLUMN}", None, 422),
    Case("id zero", "GET", "/items/0", None, 422),
    Case("id negative", "GET", "/items/-1", None, 422),
    Case("id not a number", "GET", "/items/abc", None, 422),
    Case("id in full-width digits", "GET", "/items/%EF%BC%95%EF%BC%93%EF%BC%99", None, 422),
    Case("delete full-width one", "DELETE", "/items/%EF%BC%91", None, 422),
    Case("offset beyond 64 bits", "GET", f"/items?offset={BEYOND_64_BITS}", None, 422),
    Case("offset beyond the column", "GET", f"/items?offset={BEYOND_THE_COLUMN}", None, 422),
    Case("offset negative", "GET", "/items?offset=-1", None, 422),
    Case("limit zero", "GET", "/items?limit=0", None, 422),
    Case("limit not a number", "GET", "/items?limit=abc", None, 422),
    Case("malformed JSON", "POST", "/items", b'{"name":', 422),
    Case("NaN", "POST", "/items", b'{"name": NaN}', 422),
    Case("Infinity", "POST", "/items", b'{"name": "a", "description": Infinity}', 422),
    Case("lone surrogate", "POST", "/items", b'{"name": "\\ud800"}', 422),
    Case("lone surrogate key", "POST", "/items", b'{"name": "a", "\\udc00": 1}', 422),
    Case("not UTF-8", "POST", "/items", b'{"name": "\xff\xfe"}', 422),
    Case("UTF-8 BOM", "POST", "/items", b'\xef\xbb\xbf{"name": "a"}', 422),
    Case("nested 1,000 deep", "POST", "/items", b"[" * 1000 + b"]" * 1000, 422),
    Case("nested 100,000 deep", "POST", "/items", b"[" * 100_000 + b"]" * 100_000, 422),
    Case("object nested deep", "POST", "/items", b'{"a":' * 5000 + b"1" + b"}" * 5000, 422),
    Case("huge number", "POST", "/items", b'{"name": 1' + b"0" * 5000 + b"}", 422),
    Case("wrong type", "POST", "/items", b'{"name": 5}', 422),
    Case("array body", "POST", "/items", b"[]", 422),
    Case("empty body", "POST", "/items", b"", 422),
    Case("NUL in a name", "POST", "/items", b'{"name": "a\\u0000b"}', 422),
    Case("name too long", "POST", "/items", b'{"name": "' + b"x" * 101 + b'"}', 422),
    Case("huge unknown key", "POST", "/items", b'{"name": "a", "' + b"k" * 100_000 + b'": 1}', 422),
    Case("patch unknown field", "PATCH", "/items/1", b'{"nope": 1}', 422),
    Case("body too large", "POST", "/items", b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}', 413),
    Case("body 8 MB", "POST", "/items", b"x" * 8 * MAX_BODY_BYTES, 413),
    Case("unknown route", "GET", "/nowhere", None, 404),
    Case("unknown route with body", "POST", "/nowhere", b"{}", 404),
    Case("wrong method", "PUT", "/items", b"{}", 405),
    Case("wrong method on an item", "POST", "/items/1", b"{}", 405),
    Case("wrong method on health", "POST", "/health", b"{}", 405),
]

# Requests a server handles before the app sees them: its own 4xx, a closed connection, or (the
# 70 kB header, within uvicorn's and granian's limits) a normal answer; never a 5xx.
RAW_CASES: dict[str, bytes] = {
    "bad request line": b"GET /items HTTP/9.9 extra\r\nHost: x\r\n\r\n",
    "garbage": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    "oversized header": b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    "bad content-length": b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    "malformed chunked": (
        b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    ),
    "truncated chunked": (
        b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Transfer-Encoding: chunked\r\n\r\n10\r\n{"na'
    ),
}


def _refuse(constant: str) -> Any:
    raise ValueError(f"not JSON: {constant}")


def check_contract(response: httpx.Response, expected: int, label: str) -> list[str]:
    """What is wrong with `response` against the contract (empty when nothing)."""
    problems = []
    if response.status_code != expected:
        problems.append(f"status {response.status_code}, expected {expected}")
    if response.headers.get("content-type") != "application/json":
        problems.append(f"content-type {response.headers.get('content-type')!r}")
    try:
        body = json.loads(response.content, parse_constant=_refuse)
    except ValueError as exc:
        problems.append(f"body is not JSON ({exc}): {response.content[:200]!r}")
    else:
        if not isinstance(body, dict) or not body.get("detail"):
            problems.append(f"no detail: {response.text[:200]}")
        elif body.get("request_id") != response.headers.get("x-request-id"):
            problems.append("request_id missing or not the X-Request-ID header")
    if len(response.content) > 10_000:
        problems.append(f"{len(response.content)} bytes of body (input echoed?)")
    if expected == 405 and not response.headers.get("allow"):
        problems.append("405 without Allow")
    return [f"{label}: {p}" for p in problems]


def raw_exchange(base_url: str, payload: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server closed first: that is a refusal too
            return b""
        chunks = []
        try:
            while data := sock.recv(65536):
                chunks.append(data)
        except OSError:
            pass
    return b"".join(chunks)


def send_corpus(base_url: str) -> list[str]:
    problems: list[str] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        seed = client.post("/items", json={"name": "seed", "description": "kept"})
        assert seed.status_code == 201, seed.text
        item = seed.json()
        before = client.get("/items").json()["total"]

        for case in CORPUS:
            # One connection per case: after a 413 the server may close it.
            with httpx.Client(base_url=base_url, timeout=30) as fresh:
                response = fresh.request(
                    case.method, case.path, content=case.body, headers=dict(case.headers)
                )
            problems += check_contract(response, case.status, case.name)

        chunked = httpx.post(
            base_url + "/items",
            content=_chunks(4 * MAX_BODY_BYTES),
            headers={"content-type": "application/json"},
            timeout=30,
        )
        # Django under WSGI reads no body without a Content-Length: it sees an empty one (422).
        expected = 413 if chunked.status_code != 422 else 422
        problems += check_contract(chunked, expected, "chunked body too large")

        for label, payload in RAW_CASES.items():
            answer = raw_exchange(base_url, payload)
            status_line = answer.split(b"\r\n", 1)[0]
            if status_line.startswith((b"HTTP/1.1 5", b"HTTP/1.0 5")):
                problems.append(f"{label}: server answered {status_line!r}")

        health = client.get("/health")
        if health.status_code != 200:
            problems.append(f"/health answered {health.status_code} after the corpus")
        after = client.get(f"/items/{item['id']}")
        if after.status_code != 200 or after.json() != item:
            problems.append(f"the stored item changed: {after.status_code} {after.text[:300]}")
        if client.get("/items").json()["total"] != before:
            problems.append("the corpus created or deleted items")
    return problems


# One SQLite service per framework (Django under ASGI, whose body reading differs), then FastAPI
# under each other server kind: the sets tagged "bad-input" in tests/matrix.py.
@pytest.mark.parametrize("answer_set", params(tagged("bad-input")))
def test_bad_input_answers_the_error_contract(
    installed: Callable[[AnswerSet], Path], answer_set: AnswerSet, tmp_path: Path
) -> None:
    project = installed(answer_set)
    with migrated_database("sqlite", project, tmp_path) as url:
        env = container_env(
            project, WEB_CONCURRENCY="1", SECURE_SSL_REDIRECT="false", DATABASE_URL=url
        )
        log = tmp_path / "server.log"
        with start_server(container_command(project), project, env, log) as server:
            wait_healthy(server)
            problems = send_corpus(server.base_url)
            errors = [
                line
                for line in server.output().splitlines()
                if '"level": "error"' in line or "Traceback" in line
            ]
    assert not problems, "\n".join(problems) + "\n--- server output\n" + server.output()[-5000:]
    assert not errors, "the server logged errors for bad input:\n" + "\n".join(errors)[-5000:]
