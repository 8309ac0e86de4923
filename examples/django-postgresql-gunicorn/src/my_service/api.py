"""JSON API plumbing: responses from pydantic models and errors shaped like `{"detail": ...}`."""

import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from pydantic import BaseModel, ValidationError


def json_response(model: BaseModel, status: int = HTTPStatus.OK) -> HttpResponse:
    return HttpResponse(model.model_dump_json(), status=status, content_type="application/json")


def error(status: int, detail: object) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def validation_error(exc: ValidationError) -> JsonResponse:
    """422 with pydantic's error list, as FastAPI answers an invalid request."""
    return error(HTTPStatus.UNPROCESSABLE_ENTITY, json.loads(exc.json(include_url=False)))


def page_not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return error(HTTPStatus.NOT_FOUND, "Not Found")


def server_error(request: HttpRequest) -> JsonResponse:
    return error(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
