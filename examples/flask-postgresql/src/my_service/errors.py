"""JSON errors with FastAPI's shape: `{"detail": ...}`; invalid input is 422 with a list of
errors (type, loc, msg, input), a missing resource 404, anything unexpected 500."""

from typing import Any

import structlog
from flask import Flask, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

logger = structlog.stdlib.get_logger(__name__)


class RequestValidationError(Exception):
    """Invalid request input; answered with 422 and the list of errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def parse[M: BaseModel](model: type[M], data: object, location: str) -> M:
    """Validate `data` (the JSON body or the query string) into `model`, or raise a 422."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        raise RequestValidationError(
            [{**error, "loc": [location, *error["loc"]]} for error in errors]
        ) from exc


def _validation_error(exc: RequestValidationError) -> ResponseReturnValue:
    return {"detail": exc.errors}, 422


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    # Werkzeug's default descriptions are HTML-minded sentences; its short name reads better.
    described = exc.description and exc.description != type(exc).description
    return {"detail": exc.description if described else exc.name}, exc.code or 500


def _unexpected_error(exc: Exception) -> ResponseReturnValue:
    logger.error("unhandled exception", path=request.path, exc_info=exc)
    return {"detail": "internal server error"}, 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(RequestValidationError, _validation_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
