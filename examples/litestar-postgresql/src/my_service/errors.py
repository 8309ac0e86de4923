"""Error responses with one shape, `{"detail": ...}`, and FastAPI's status codes: invalid input
is 422 (Litestar answers 400 by default), a missing resource 404."""

from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

logger = structlog.stdlib.get_logger(__name__)


def _json(status_code: int, detail: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        {"detail": detail}, status_code=status_code, media_type=MediaType.JSON, headers=headers
    )


def validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _json(HTTP_422_UNPROCESSABLE_ENTITY, exc.extra or exc.detail)


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return _json(exc.status_code, exc.detail, exc.headers)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.error("unhandled exception", path=request.url.path, exc_info=exc)
    return _json(HTTP_500_INTERNAL_SERVER_ERROR, "internal server error")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: validation_error,
    HTTPException: http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: unexpected_error,
}
