"""Flask's error responses in the service's one shape (`contract.py`), with FastAPI's status
codes; and how a request's input is read, so that every input error is one of them.

flask-openapi validates the models a view declares as `path`, `query` and `body` with pydantic
and hands a failure to `invalid_input`, which makes it `contract.InvalidInput` (422, located as
FastAPI locates it, the input never echoed). It reads a body with `request.get_json()`, which
`JSONBodyRequest` answers by the contract's rules: the body is read whole within
`MAX_BODY_BYTES` (Werkzeug answers 413 before reading a body that declares more, and stops one
that sends more) and parsed by pydantic's JSON parser (`contract.json_value`).
"""

import inspect
from typing import Any, Literal, NoReturn

import structlog
from flask import Flask, Request, current_app, request
from flask.typing import ResponseReturnValue
from flask_openapi.types import ResponseDict
from pydantic import ValidationError
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, RequestEntityTooLarge

from .contract import (
    ErrorItem,
    ErrorResponse,
    InvalidInput,
    ValidationErrorResponse,
    body_too_large,
    error_body,
    json_value,
    status_detail,
    validation_errors,
)
from .logs import REQUEST_ID

logger = structlog.stdlib.get_logger(__name__)

# What views answer besides success, for the OpenAPI document: a view that takes input declares
# INVALID, one that takes a body BODY_ERRORS too.
INVALID: ResponseDict = {422: ValidationErrorResponse}
BODY_ERRORS: ResponseDict = {400: ErrorResponse, 413: ErrorResponse}

type RequestPart = Literal["path", "query", "body"]
REQUEST_PARTS: tuple[RequestPart, ...] = ("path", "query", "body")


class JSONBodyRequest(Request):
    """The app's `request_class` (Flask's way to change how a request is read): a body is JSON
    whatever its content type, and one that cannot be read or parsed is an error, never None."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        return json_value(self._read_body())

    def _read_body(self) -> bytes:
        try:
            body = self.get_data()
        except HTTPException:  # 413 (too large) or 400 (the client went away)
            raise
        except Exception as exc:  # the server's reader failed: bad chunked framing, a cut body
            raise BadRequest("the request body could not be read") from exc
        # A body without a length is cut at the limit, silently: one that reached it is too large.
        limit = self.max_content_length
        if self.content_length is None and limit is not None and len(body) >= limit:
            raise RequestEntityTooLarge
        return body


def invalid_input(exc: ValidationError) -> NoReturn:
    """flask-openapi's `validation_error_callback`: a view's path, query or body is not valid."""
    raise InvalidInput(validation_errors(exc.errors(), _failed_part(exc.title)))


def _failed_part(model_name: str) -> RequestPart | None:
    # The error names the model that failed; the view's signature says which part it validates.
    view = current_app.view_functions.get(request.endpoint or "")
    declared = inspect.get_annotations(view) if view else {}
    for part in REQUEST_PARTS:
        if getattr(declared.get(part), "__name__", None) == model_name:
            return part
    return None


def _body(detail: str | list[ErrorItem]) -> dict[str, Any]:
    return error_body(detail, REQUEST_ID.get())


def _validation_error(exc: InvalidInput) -> ResponseReturnValue:
    return _body(exc.errors), 422


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    # Werkzeug's default descriptions are HTML-minded sentences; its short name reads better.
    described = exc.description and exc.description != type(exc).description
    status = exc.code or 500
    headers: dict[str, str] = {}
    detail = exc.description if described and exc.description else status_detail(status)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    if isinstance(exc, RequestEntityTooLarge):
        detail = body_too_large(current_app.config["MAX_CONTENT_LENGTH"])
    return _body(detail), status, headers


def _unexpected_error(exc: Exception) -> ResponseReturnValue:
    logger.error("unhandled exception", path=request.path, exc_info=exc)
    return _body(status_detail(500)), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(InvalidInput, _validation_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
