"""The items JSON API (Django Ninja): the same routes, status codes and validation as the other
frameworks, documented in the service's OpenAPI document (`/openapi.json`).

Plain `def` handlers on purpose: the Django ORM is synchronous, and Django runs sync views in a
thread of their own under ASGI (and natively under WSGI), so the same code serves both
interfaces without blocking an event loop (R12). CSRF does not apply: the API takes no cookies.
"""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from ..api import error, json_response
from ..contract import ErrorResponse, ValidationErrorResponse
from .models import Item
from .schemas import ItemCreate, ItemId, ItemPage, ItemRead, ItemUpdate, PageQuery

router = Router(tags=["items"])

# Taken as text by the route and validated by pydantic: ASCII digits within the column's range.
ItemIdPath = Path[ItemId]

INVALID = {422: ValidationErrorResponse}
NOT_FOUND = {404: ErrorResponse}
BODY_ERRORS = {400: ErrorResponse, 413: ErrorResponse}


def _not_found(item_id: int) -> HttpResponse:
    return error(HTTPStatus.NOT_FOUND, f"item {item_id} not found")


@router.get("", response={200: ItemPage, **INVALID})
def list_items(request: HttpRequest, page: Query[PageQuery]) -> HttpResponse:
    rows = Item.objects.order_by("id")[page.offset : page.offset + page.limit]
    return json_response(
        ItemPage(
            items=[ItemRead.model_validate(item) for item in rows],
            total=Item.objects.count(),
            limit=page.limit,
            offset=page.offset,
        )
    )


@router.post("", response={201: ItemRead, **INVALID, **BODY_ERRORS})
def create_item(request: HttpRequest, payload: ItemCreate) -> HttpResponse:
    item = Item.objects.create(**payload.model_dump())
    return json_response(ItemRead.model_validate(item), status=HTTPStatus.CREATED)


@router.get("/{item_id}", response={200: ItemRead, **NOT_FOUND, **INVALID})
def get_item(request: HttpRequest, item_id: ItemIdPath) -> HttpResponse:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return _not_found(item_id)
    return json_response(ItemRead.model_validate(item))


@router.patch("/{item_id}", response={200: ItemRead, **NOT_FOUND, **INVALID, **BODY_ERRORS})
def update_item(request: HttpRequest, item_id: ItemIdPath, payload: ItemUpdate) -> HttpResponse:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return _not_found(item_id)
    for field, value in payload.changes().items():
        setattr(item, field, value)
    item.save()
    return json_response(ItemRead.model_validate(item))


@router.delete("/{item_id}", response={204: None, **NOT_FOUND, **INVALID})
def delete_item(request: HttpRequest, item_id: ItemIdPath) -> HttpResponse:
    deleted, _ = Item.objects.filter(pk=item_id).delete()
    if not deleted:
        return _not_found(item_id)
    return HttpResponse(status=HTTPStatus.NO_CONTENT)
