"""Litestar's error responses in the service's one shape (`contract.py`), with FastAPI's status
codes: invalid input is 422 (Litestar answers 400 by default), a missing resource 404.

`JSONBodyRequest` parses request bodies with pydantic's JSON parser, as the other frameworks'
services do: it refuses what is not JSON and nesting deeper than 200 levels (msgspec fails on
deep nesting with a RecursionError).
"""

from typing import Any

import pydantic_core
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, InternalServerException, ValidationException
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
)
from litestar.types import ExceptionHandlersMap
from litestar.typing import FieldDefinition

from .contract import ErrorItem, error_body, status_detail, validation_errors
from .logs import REQUEST_ID

logger = structlog.stdlib.get_logger(__name__)

# What Litestar raises when the client goes away before the whole body came (or when the body
# limit cut it off): not a server error.
CLIENT_DISCONNECTED = "client disconnected prematurely"


class JSONBodyRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        body = await self.body()
        try:
            return pydantic_core.from_json(body or b"null")
        except ValueError as exc:
            error = {"type": "json_invalid", "loc": ["body"], "ctx": {"error": str(exc)}}
            raise ValidationException(extra=validation_errors([error])) from exc


class StrictPydanticSchemas(PydanticSchemaPlugin):
    """Litestar's pydantic schemas, completed where they say less than pydantic's own: a model
    that refuses unknown fields (`extra="forbid"`) says `additionalProperties: false`, an
    optional string keeps its pattern (Litestar 2.25 drops it inside `oneOf`), and a field that
    may be left out but not sent as null (`SkipJsonSchema[None]`) is not nullable."""

    @classmethod
    def for_pydantic_model(cls, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().for_pydantic_model(field_definition, schema_creator)
        model = field_definition.annotation
        if model.model_config.get("extra") == "forbid":
            schema.additional_properties = False
        own = model.model_json_schema().get("properties", {})
        properties = schema.properties or {}
        for name, prop in properties.items():
            branches = own.get(name, {}).get("anyOf", [own.get(name, {})])
            patterns = [b["pattern"] for b in branches if "pattern" in b]
            nullable = any(b.get("type") == "null" for b in branches)
            one_of = getattr(prop, "one_of", None) or []
            for branch in one_of:
                if patterns and isinstance(branch, Schema) and branch.type == OpenAPIType.STRING:
                    branch.pattern = branch.pattern or patterns[0]
            kept = [b for b in one_of if getattr(b, "type", None) != OpenAPIType.NULL]
            if one_of and not nullable and len(kept) == 1:
                properties[name] = kept[0]
        return schema


def _json(
    status_code: int, detail: str | list[ErrorItem], headers: dict[str, str] | None = None
) -> Response[Any]:
    return Response(
        error_body(detail, REQUEST_ID.get()),
        status_code=status_code,
        media_type=MediaType.JSON,
        headers=headers,
    )


def _errors(exc: ValidationException) -> list[ErrorItem]:
    if isinstance(exc.extra, list) and all(isinstance(e, dict) and "msg" in e for e in exc.extra):
        return exc.extra  # already the contract's (JSONBodyRequest)
    # A body model's errors: pydantic's own list is on the exception's cause.
    pydantic_errors = getattr(exc.__cause__, "errors", None)
    if isinstance(pydantic_errors, list) and all("type" in e for e in pydantic_errors):
        return validation_errors(pydantic_errors, "body")
    # Parameters' errors: Litestar's messages, {"key": "limit", "source": "query", "message": ...}.
    messages = [m for m in exc.extra if isinstance(m, dict)] if isinstance(exc.extra, list) else []
    return [_parameter_error(message) for message in messages] or [
        {"type": "value_error", "loc": [], "msg": str(exc.detail)}
    ]


def _parameter_error(message: dict[str, Any]) -> ErrorItem:
    key = str(message.get("key", ""))
    if key == "data":  # no body at all
        return {"type": "missing", "loc": ["body"], "msg": "Field required"}
    source = message.get("source")
    location = str(getattr(source, "value", source) or "body")
    error = {"type": "value_error", "loc": [location, *key.split(".")], "msg": message["message"]}
    return validation_errors([error])[0]


def validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _json(HTTP_422_UNPROCESSABLE_ENTITY, _errors(exc))


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    detail = exc.detail if isinstance(exc.detail, str) else status_detail(exc.status_code)
    return _json(exc.status_code, detail, exc.headers)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, InternalServerException) and exc.detail == CLIENT_DISCONNECTED:
        logger.info("client disconnected", path=request.url.path)
        return _json(HTTP_400_BAD_REQUEST, "the client disconnected before the end of the body")
    logger.error("unhandled exception", path=request.url.path, exc_info=exc)
    return _json(HTTP_500_INTERNAL_SERVER_ERROR, status_detail(HTTP_500_INTERNAL_SERVER_ERROR))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: validation_error,
    HTTPException: http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: unexpected_error,
}
