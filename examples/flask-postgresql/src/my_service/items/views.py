"""The items API: each view declares what it takes (`path`, `query`, `body`: flask-openapi
validates them with the shared schemas) and what it answers, for the OpenAPI document.

Views name what they return: flask-openapi reads their annotations at import time
(`typing.get_type_hints`), and Flask's `ResponseReturnValue` holds names only a type checker
resolves.
"""

from typing import Any, ClassVar

from flask_openapi.blueprint import APIBlueprint
from flask_openapi.types import ResponseDict
from pydantic import BaseModel
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from ..contract import ErrorResponse
from ..db import get_session
from ..errors import BODY_ERRORS, INVALID
from .models import Item
from .schemas import ItemCreate, ItemId, ItemPage, ItemRead, ItemUpdate, PageQuery

bp = APIBlueprint("items", __name__, url_prefix="/items", abp_tags=[{"name": "items"}])

NOT_FOUND: ResponseDict = {404: ErrorResponse}


# The route takes the id as text and the model validates it: Werkzeug's `int` converter also
# matches full-width digits, and any number of them.
class ItemPath(BaseModel):
    item_id: ItemId


class PageParams(PageQuery):
    """`PageQuery` as flask-openapi's query model. flask-openapi asks a query model for its JSON
    schema on every request (to tell list parameters from single ones): 1.5 million instructions,
    +30 % on a GET /items?limit=20. The schema never changes, so it is made once."""

    _query_schema: ClassVar[dict[str, Any]] = {}

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:  # the OpenAPI document's own call, made once
            return super().model_json_schema(*args, **kwargs)
        if not cls._query_schema:
            cls._query_schema = super().model_json_schema()
        return cls._query_schema


def _get_or_404(item_id: int) -> Item:
    item = get_session().get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    return item


@bp.post("", responses={201: ItemRead, **INVALID, **BODY_ERRORS})
def create_item(body: ItemCreate) -> tuple[dict[str, Any], int]:
    session = get_session()
    item = Item(**body.model_dump())
    session.add(item)
    # Flush and read the server-side defaults (created_at, updated_at) on the connection the
    # INSERT used, then commit: refreshing after the commit checks a connection out again (a
    # pre-ping and a new transaction), which halved POST throughput against PostgreSQL.
    session.flush()
    session.refresh(item)
    session.commit()
    return ItemRead.model_validate(item).model_dump(mode="json"), 201


@bp.get("", responses={200: ItemPage, **INVALID})
def list_items(query: PageParams) -> dict[str, Any]:
    session = get_session()
    total = session.scalar(select(func.count()).select_from(Item))
    rows = session.scalars(select(Item).order_by(Item.id).limit(query.limit).offset(query.offset))
    page = ItemPage(
        items=[ItemRead.model_validate(item) for item in rows],
        total=total or 0,
        limit=query.limit,
        offset=query.offset,
    )
    return page.model_dump(mode="json")


@bp.get("/<item_id>", responses={200: ItemRead, **NOT_FOUND, **INVALID})
def get_item(path: ItemPath) -> dict[str, Any]:
    return ItemRead.model_validate(_get_or_404(path.item_id)).model_dump(mode="json")


@bp.patch("/<item_id>", responses={200: ItemRead, **NOT_FOUND, **INVALID, **BODY_ERRORS})
def update_item(path: ItemPath, body: ItemUpdate) -> dict[str, Any]:
    item = _get_or_404(path.item_id)
    for field, value in body.changes().items():
        setattr(item, field, value)
    session = get_session()
    session.flush()
    session.refresh(item)  # updated_at, in the same transaction (see create_item)
    session.commit()
    return ItemRead.model_validate(item).model_dump(mode="json")


@bp.delete("/<item_id>", responses={204: None, **NOT_FOUND, **INVALID})
def delete_item(path: ItemPath) -> tuple[str, int]:
    session = get_session()
    session.delete(_get_or_404(path.item_id))
    session.commit()
    return "", 204
