"""Flask's error responses in the service's one shape (`contract.py`), with FastAPI's status
codes; and how views read a body and the query string, so that every input error is one of them.

Bodies are read whole within `MAX_BODY_BYTES` (Werkzeug answers 413 before reading a body that
declares more, and stops one that sends more) and parsed by `contract.parse_json`.
"""

from typing import Any

import structlog
from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, RequestEntityTooLarge

from . import contract
from .contract import ErrorItem, InvalidInput, body_too_large, error_body, parse_json, status_detail
from .logs import REQUEST_ID

logger = structlog.stdlib.get_logger(__name__)


def parse_body[M: BaseModel](model: type[M]) -> M:
    """The JSON body validated into `model` (`contract.parse_json`), or a 400, 413 or 422."""
    try:
        body = request.get_data()
    except HTTPException:  # 413 (too large) or 400 (the client went away)
        raise
    except Exception as exc:  # the server's reader failed: bad chunked framing, a cut body
        raise BadRequest("the request body could not be read") from exc
    # A body without a length is cut at the limit, silently: one that reached it is too large.
    if request.content_length is None and len(body) >= current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge
    return parse_json(model, body)


def parse_query[M: BaseModel](model: type[M]) -> M:
    return contract.parse_query(model, request.args.to_dict())


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
