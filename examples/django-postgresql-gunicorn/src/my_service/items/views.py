"""The items JSON API: the same routes, status codes and validation as the other frameworks.

Plain `def` views on purpose: the Django ORM is synchronous, and Django runs sync views in a
thread of their own under ASGI (and natively under WSGI), so the same code serves both
interfaces without blocking an event loop (R12). CSRF does not apply: the API takes no cookies.
Input is read with `contract.parse_*`, whose `InvalidInput` `api.ErrorMiddleware` answers (422).
"""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from pydantic import TypeAdapter

from ..api import error, json_response
from ..contract import parse_json, parse_path, parse_query
from .models import Item
from .schemas import ItemCreate, ItemId, ItemPage, ItemRead, ItemUpdate, PageQuery

ITEM_ID = TypeAdapter[int](ItemId)


def _not_found(item_id: int) -> HttpResponse:
    return error(HTTPStatus.NOT_FOUND, f"item {item_id} not found")


@method_decorator(csrf_exempt, name="dispatch")
class ItemCollectionView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = parse_query(PageQuery, request.GET.dict())
        rows = Item.objects.order_by("id")[page.offset : page.offset + page.limit]
        return json_response(
            ItemPage(
                items=[ItemRead.model_validate(item) for item in rows],
                total=Item.objects.count(),
                limit=page.limit,
                offset=page.offset,
            )
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        payload = parse_json(ItemCreate, request.body)
        item = Item.objects.create(**payload.model_dump())
        return json_response(ItemRead.model_validate(item), status=HTTPStatus.CREATED)


# The id is taken as text (`<str:item_id>`) and validated by `parse_path`: ASCII digits within the
# column's range, as in the other frameworks.
@method_decorator(csrf_exempt, name="dispatch")
class ItemDetailView(View):
    def get(self, request: HttpRequest, item_id: str) -> HttpResponse:
        pk = parse_path(ITEM_ID, "item_id", item_id)
        item = Item.objects.filter(pk=pk).first()
        if item is None:
            return _not_found(pk)
        return json_response(ItemRead.model_validate(item))

    def patch(self, request: HttpRequest, item_id: str) -> HttpResponse:
        pk = parse_path(ITEM_ID, "item_id", item_id)
        payload = parse_json(ItemUpdate, request.body)
        item = Item.objects.filter(pk=pk).first()
        if item is None:
            return _not_found(pk)
        for field, value in payload.changes().items():
            setattr(item, field, value)
        item.save()
        return json_response(ItemRead.model_validate(item))

    def delete(self, request: HttpRequest, item_id: str) -> HttpResponse:
        pk = parse_path(ITEM_ID, "item_id", item_id)
        deleted, _ = Item.objects.filter(pk=pk).delete()
        if not deleted:
            return _not_found(pk)
        return HttpResponse(status=HTTPStatus.NO_CONTENT)
