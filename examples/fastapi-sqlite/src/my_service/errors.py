"""FastAPI's error responses in the service's one shape (`contract.py`): FastAPI's own 422 echoes
the input and its 500 is plain text without the request id.

`JSONBodyRoute` parses request bodies with pydantic's JSON parser, as the other frameworks'
services do: it refuses what is not JSON (NaN, lone surrogates, bytes that are not UTF-8) and
nesting deeper than 200 levels, where the standard library's parser takes the first two and
fails on deep nesting with a RecursionError.

The handlers are `async def` without awaiting (RUF029): Starlette would run a plain `def` handler
on the thread pool.
"""

import json
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.status import (
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_422_UNPROCESSABLE_CONTENT,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from .contract import ErrorItem, error_body, status_detail, validation_errors
from .logs import REQUEST_ID


class JSONBodyRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = pydantic_core.from_json(await self.body())
            except ValueError as exc:  # FastAPI answers a JSONDecodeError with a 422
                raise json.JSONDecodeError(str(exc), "", 0) from exc
        return self._json


class JSONBodyRoute(APIRoute):
    """A route whose handler sees `JSONBodyRequest`s (FastAPI's documented way to change how
    a request is read: a custom `APIRoute`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_json_body(request: Request) -> Response:
            return await handler(JSONBodyRequest(request.scope, request.receive))

        return with_json_body


def _json(
    status_code: int, detail: str | list[ErrorItem], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(detail, REQUEST_ID.get()), status_code, headers=headers)


async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:  # noqa: RUF029
    return _json(HTTP_422_UNPROCESSABLE_CONTENT, validation_errors(exc.errors()))


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:  # noqa: RUF029
    detail = exc.detail if isinstance(exc.detail, str) else status_detail(exc.status_code)
    headers = exc.headers
    if exc.status_code == HTTP_405_METHOD_NOT_ALLOWED:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return _json(exc.status_code, detail, headers)


HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    # Starlette's Allow names the methods of the first route with the path only; `/items` has
    # one route per method. A route, or a router included with its routes, matches fully only
    # for a method it takes: ask each one per method, however deep the routers nest.
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    )


async def unexpected_error(_: Request, exc: Exception) -> JSONResponse:  # noqa: RUF029
    # Sent from outside the request middleware (the server logs the traceback afterwards), so
    # the id header is set here.
    request_id = REQUEST_ID.get() or ""
    return _json(
        HTTP_500_INTERNAL_SERVER_ERROR,
        status_detail(HTTP_500_INTERNAL_SERVER_ERROR),
        {"X-Request-ID": request_id},
    )


ExceptionHandler = Callable[[Request, Any], Coroutine[Any, Any, Response]]

EXCEPTION_HANDLERS: dict[int | type[Exception], ExceptionHandler] = {
    RequestValidationError: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
