"""The items JSON API: the same routes, status codes and validation as the other frameworks.

Plain `def` views on purpose: the Django ORM is synchronous, and Django runs sync views in a
thread of their own under ASGI (and natively under WSGI), so the same code serves both
interfaces without blocking an event loop (R12). CSRF does not apply: the API takes no cookies.
"""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..api import error, json_response, validation_error
from .models import Item
from .schemas import ItemCreate, ItemPage, ItemRead, ItemUpdate


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


def _not_found(item_id: int) -> JsonResponse:
    return error(HTTPStatus.NOT_FOUND, f"item {item_id} not found")


@method_decorator(csrf_exempt, name="dispatch")
class ItemCollectionView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            page = PageQuery.model_validate(request.GET.dict())
        except ValidationError as exc:
            return validation_error(exc)
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
        try:
            payload = ItemCreate.model_validate_json(request.body)
        except ValidationError as exc:
            return validation_error(exc)
        item = Item.objects.create(**payload.model_dump())
        return json_response(ItemRead.model_validate(item), status=HTTPStatus.CREATED)


@method_decorator(csrf_exempt, name="dispatch")
class ItemDetailView(View):
    def get(self, request: HttpRequest, item_id: int) -> HttpResponse:
        item = Item.objects.filter(pk=item_id).first()
        if item is None:
            return _not_found(item_id)
        return json_response(ItemRead.model_validate(item))

    def patch(self, request: HttpRequest, item_id: int) -> HttpResponse:
        try:
            payload = ItemUpdate.model_validate_json(request.body)
        except ValidationError as exc:
            return validation_error(exc)
        changes = payload.model_dump(exclude_unset=True)
        if changes.get("name", ...) is None:
            return error(HTTPStatus.UNPROCESSABLE_ENTITY, "name cannot be null")
        item = Item.objects.filter(pk=item_id).first()
        if item is None:
            return _not_found(item_id)
        for field, value in changes.items():
            setattr(item, field, value)
        item.save()
        return json_response(ItemRead.model_validate(item))

    def delete(self, request: HttpRequest, item_id: int) -> HttpResponse:
        deleted, _ = Item.objects.filter(pk=item_id).delete()
        if not deleted:
            return _not_found(item_id)
        return HttpResponse(status=HTTPStatus.NO_CONTENT)
