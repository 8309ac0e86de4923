"""The error contract: every error the service answers has one shape, whatever the framework.

    {"detail": "item 7 not found", "request_id": "4f0c9a..."}
    {"detail": [{"type": "missing", "loc": ["body", "name"], "msg": "Field required"}],
     "request_id": "4f0c9a..."}

- `detail` is a sentence, or for invalid input (422) the list of what is wrong: type, loc, msg.
  The input itself is never echoed back: it can be as large as the body limit allows, or not
  representable in JSON at all (NaN, a lone surrogate).
- `request_id` is the request's id, the same as the `X-Request-ID` response header.
- The body is always `application/json`, and strictly JSON.

The statuses (README "Errors"): 400 a body that could not be read, 404 an unknown route or item,
405 a method the route does not take (with `Allow`), 413 a body over `MAX_BODY_BYTES`, 422 input
that is not valid (malformed JSON, wrong types, out-of-range ids and paging), 500 a bug.
Each framework's error handlers only call `error_body`; the shape lives here. Every framework
validates input with pydantic, to the same rules; Flask's and Django's bodies are parsed here
(`json_value`, `parse_json`).
"""

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, Literal, TypedDict

import pydantic_core
from pydantic import BaseModel, ValidationError

# A loc entry can come from the request (an unknown field's name): texts are cut to this length.
MAX_TEXT_CHARS = 200
JSON_CONTENT_TYPE = "application/json"


class ErrorItem(TypedDict):
    type: str
    loc: list[str | int]
    msg: str


class ErrorResponse(BaseModel):
    """The body of every error but 422 (for the OpenAPI document)."""

    detail: str
    request_id: str


class ValidationErrorResponse(BaseModel):
    """The body of a 422 (for the OpenAPI document)."""

    detail: list[ErrorItem]
    request_id: str


def error_body(detail: str | list[ErrorItem], request_id: str | None) -> dict[str, Any]:
    return {"detail": detail, "request_id": request_id or ""}


def error_json(detail: str | list[ErrorItem], request_id: str | None) -> bytes:
    """`error_body` encoded, for the code paths that write bytes themselves."""
    body = error_body(detail, request_id)
    return json.dumps(body, allow_nan=False, separators=(",", ":")).encode()


def status_detail(status: int) -> str:
    """The detail of an error that has nothing more to say than its status ("Not Found")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def body_too_large(max_body_bytes: int) -> str:
    return f"request body is larger than {max_body_bytes} bytes (MAX_BODY_BYTES)"


def validation_errors(
    errors: Iterable[Mapping[str, Any]], location: Literal["body", "query", "path"] | None = None
) -> list[ErrorItem]:
    """pydantic's error list (or FastAPI's and Litestar's, which come from it) as the contract's:
    type, loc and msg only, loc prefixed with `location` when the framework does not add it."""
    prefix: list[str | int] = [location] if location else []
    return [_item(error, prefix) for error in errors]


def _item(error: Mapping[str, Any], prefix: list[str | int]) -> ErrorItem:
    kind = str(error.get("type", "value_error"))
    if kind == "json_invalid":  # the whole body; the parser's own message says where
        reason = (error.get("ctx") or {}).get("error")
        msg = f"Invalid JSON: {reason}" if isinstance(reason, str) else error.get("msg", "")
        return {"type": kind, "loc": ["body"], "msg": _text(msg)}
    return {
        "type": _text(kind),
        "loc": [*prefix, *(_loc_part(part) for part in error.get("loc", ()))],
        "msg": _text(error.get("msg", "")),
    }


def _loc_part(part: object) -> str | int:
    return part if isinstance(part, int) and not isinstance(part, bool) else _text(part)


def _text(value: object) -> str:
    # A lone surrogate (an unknown field named "\ud800") cannot be encoded: escape it.
    text = str(value)[:MAX_TEXT_CHARS]
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


MISSING_BODY: ErrorItem = {"type": "missing", "loc": ["body"], "msg": "Field required"}


class InvalidInput(Exception):
    """Input that is not valid: answered 422 with `errors` as the detail."""

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__(errors)
        self.errors = errors


def json_value(body: bytes) -> Any:
    """A JSON body as Python values, by pydantic's JSON parser (`parse_json`'s rules), or invalid
    input if it is empty or not JSON."""
    if not body:
        raise InvalidInput([MISSING_BODY])
    try:
        return pydantic_core.from_json(body)
    except ValueError as exc:
        error = {"type": "json_invalid", "loc": ["body"], "ctx": {"error": str(exc)}}
        raise InvalidInput(validation_errors([error])) from exc


def parse_json[M: BaseModel](model: type[M], body: bytes) -> M:
    """A JSON body validated into `model`, by pydantic's JSON parser: it refuses what is not
    JSON (NaN, lone surrogates, bytes that are not UTF-8) and nesting deeper than 200 levels."""
    if not body:
        raise InvalidInput([MISSING_BODY])
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidInput(validation_errors(exc.errors(), "body")) from exc
