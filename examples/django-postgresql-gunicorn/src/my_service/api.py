"""The JSON API: Django Ninja's `api` (routes, validation, the OpenAPI document at
`/openapi.json`), and Django's and Ninja's errors in the service's one shape (`contract.py`),
with FastAPI's status codes.

Ninja reads bodies through `PydanticParser` (`contract.parse_json`'s rules: pydantic's JSON
parser, depth 200, strict UTF-8) and validates parameters with pydantic, as FastAPI does.

`ErrorMiddleware` answers what Django would answer with an empty or HTML page: 405 (with `Allow`),
a body over `MAX_BODY_BYTES` (413, Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`, checked against the
declared length before the body is read), input that is not valid (422, `contract.InvalidInput`
from `parse_json`) and a body that could not be read (400).
`config/urls.py` names the handlers for 400, 404 and 500.
"""

from collections.abc import Callable
from http import HTTPStatus

import pydantic_core
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, UnreadablePostError
from django.http.response import HttpResponseBase
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny
from pydantic import BaseModel

from .contract import (
    ErrorItem,
    InvalidInput,
    body_too_large,
    error_json,
    status_detail,
    validation_errors,
)
from .logs import REQUEST_ID
from .settings import get_settings


class PydanticParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        try:
            value = pydantic_core.from_json(request.body)
        except ValueError as exc:
            error = {"type": "json_invalid", "loc": ["body"], "ctx": {"error": str(exc)}}
            raise InvalidInput(validation_errors([error])) from exc
        return value  # type: ignore[no-any-return]


api = NinjaAPI(
    title=get_settings().app_name,
    version="0.1.0",
    docs_url=None if get_settings().environment == "production" else "/docs",
    parser=PydanticParser(),
)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    items = []
    for item in exc.errors:
        loc = list(item.get("loc", ()))
        if loc[:1] == ["body"]:  # Ninja adds the handler's parameter name: ["body", "payload", ...]
            loc = ["body", *loc[2:]]
        items.append({**item, "loc": loc})
    return error(HTTPStatus.UNPROCESSABLE_ENTITY, validation_errors(items))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, InvalidInput):  # the body is not JSON (PydanticParser)
        return error(HTTPStatus.UNPROCESSABLE_ENTITY, exc.__cause__.errors)
    return error(exc.status_code, str(exc) or status_detail(exc.status_code))


def json_response(model: BaseModel, status: int = HTTPStatus.OK) -> HttpResponse:
    return HttpResponse(model.model_dump_json(), status=status, content_type="application/json")


def error(
    status: int, detail: str | list[ErrorItem], headers: dict[str, str] | None = None
) -> HttpResponse:
    return HttpResponse(
        error_json(detail, REQUEST_ID.get()),
        status=status,
        content_type="application/json",
        headers=headers,
    )


class ErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            allow = {"Allow": response["Allow"]}
            return error(HTTPStatus.METHOD_NOT_ALLOWED, status_detail(405), allow)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, InvalidInput):
            return error(HTTPStatus.UNPROCESSABLE_ENTITY, exception.errors)
        if isinstance(exception, RequestDataTooBig):
            return too_large()
        if isinstance(exception, UnreadablePostError):
            return error(HTTPStatus.BAD_REQUEST, "the request body could not be read")
        return None


def too_large() -> HttpResponse:
    limit: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, body_too_large(limit))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A body too large for a middleware that reads it (CSRF) comes here too.
    if isinstance(exception, RequestDataTooBig):
        return too_large()
    return error(HTTPStatus.BAD_REQUEST, status_detail(400))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error(HTTPStatus.NOT_FOUND, status_detail(404))


def server_error(request: HttpRequest) -> HttpResponse:
    return error(HTTPStatus.INTERNAL_SERVER_ERROR, status_detail(500))


# Last: the routers import this module's helpers.
api.add_router("/items", "my_service.items.views.router")
