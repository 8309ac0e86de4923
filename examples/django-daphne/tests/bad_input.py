"""Bad input every framework's tests send, and what the error contract (`contract.py`) promises
for each: the status, a JSON body (strict JSON) with `detail` and the request's id."""

import json
from typing import Any, NamedTuple, Protocol

from my_service.settings import Settings


class BadRequest(NamedTuple):
    name: str
    method: str
    path: str
    body: bytes | None
    status: int


MAX_BODY_BYTES: int = Settings.model_fields["max_body_bytes"].default
TOO_LARGE = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'

CORPUS: list[BadRequest] = [
    BadRequest("id beyond a 64-bit integer", "GET", "/items/9223372036854775808", None, 422),
    BadRequest("id beyond the column", "GET", "/items/2147483648", None, 422),
    BadRequest("patch an id beyond", "PATCH", "/items/9223372036854775808", b'{"name": "x"}', 422),
    BadRequest("delete an id beyond", "DELETE", "/items/9223372036854775808", None, 422),
    BadRequest("id zero", "GET", "/items/0", None, 422),
    BadRequest("id not a number", "GET", "/items/abc", None, 422),
    BadRequest("id in full-width digits", "DELETE", "/items/%EF%BC%91", None, 422),
    BadRequest("offset beyond the column", "GET", "/items?offset=9223372036854775808", None, 422),
    BadRequest("limit not a number", "GET", "/items?limit=abc", None, 422),
    BadRequest("malformed JSON", "POST", "/items", b'{"name":', 422),
    BadRequest("NaN", "POST", "/items", b'{"name": NaN}', 422),
    BadRequest("lone surrogate", "POST", "/items", b'{"name": "\\ud800"}', 422),
    BadRequest("not UTF-8", "POST", "/items", b'{"name": "\xff\xfe"}', 422),
    BadRequest("nested 1,000 deep", "POST", "/items", b"[" * 1000 + b"]" * 1000, 422),
    BadRequest("wrong type", "POST", "/items", b'{"name": 5}', 422),
    BadRequest("NUL in a name", "POST", "/items", b'{"name": "a\\u0000b"}', 422),
    BadRequest("unknown field", "POST", "/items", b'{"name": "a", "\\udc00": 1}', 422),
    BadRequest("empty body", "POST", "/items", b"", 422),
    BadRequest("body too large", "POST", "/items", TOO_LARGE, 413),
    BadRequest("unknown route", "GET", "/nowhere", None, 404),
    BadRequest("wrong method", "PUT", "/items", b"{}", 405),
]


def _refuse(constant: str) -> Any:
    raise ValueError(f"not JSON: {constant}")


class Headers(Protocol):
    def __getitem__(self, name: str, /) -> str: ...


def assert_error(status: int, headers: Headers, content: bytes, expected: int) -> None:
    assert status == expected, content[:500]
    assert headers["content-type"] == "application/json"
    body = json.loads(content, parse_constant=_refuse)
    assert body["detail"]
    assert body["request_id"] == headers["x-request-id"]
    if status == 405:
        assert headers["allow"]
