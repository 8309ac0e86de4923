from flask import Blueprint
from flask.typing import ResponseReturnValue
from pydantic import TypeAdapter
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from ..contract import parse_path
from ..db import get_session
from ..errors import parse_body, parse_query
from .models import Item
from .schemas import ItemCreate, ItemId, ItemPage, ItemRead, ItemUpdate, PageQuery

bp = Blueprint("items", __name__, url_prefix="/items")

ITEM_ID = TypeAdapter[int](ItemId)


def _get_or_404(item_id: int) -> Item:
    item = get_session().get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    return item


@bp.post("")
def create_item() -> ResponseReturnValue:
    payload = parse_body(ItemCreate)
    session = get_session()
    item = Item(**payload.model_dump())
    session.add(item)
    # Flush and read the server-side defaults (created_at, updated_at) on the connection the
    # INSERT used, then commit: refreshing after the commit checks a connection out again (a
    # pre-ping and a new transaction), which halved POST throughput against PostgreSQL.
    session.flush()
    session.refresh(item)
    session.commit()
    return ItemRead.model_validate(item).model_dump(mode="json"), 201


@bp.get("")
def list_items() -> ResponseReturnValue:
    query = parse_query(PageQuery)
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


# Ids are taken as text and validated (`parse_path`): Werkzeug's `int` converter also matches
# full-width digits, and any number of them.
@bp.get("/<item_id>")
def get_item(item_id: str) -> ResponseReturnValue:
    item = _get_or_404(parse_path(ITEM_ID, "item_id", item_id))
    return ItemRead.model_validate(item).model_dump(mode="json")


@bp.patch("/<item_id>")
def update_item(item_id: str) -> ResponseReturnValue:
    valid_id = parse_path(ITEM_ID, "item_id", item_id)
    payload = parse_body(ItemUpdate)
    item = _get_or_404(valid_id)
    for field, value in payload.changes().items():
        setattr(item, field, value)
    session = get_session()
    session.flush()
    session.refresh(item)  # updated_at, in the same transaction (see create_item)
    session.commit()
    return ItemRead.model_validate(item).model_dump(mode="json")


@bp.delete("/<item_id>")
def delete_item(item_id: str) -> ResponseReturnValue:
    session = get_session()
    session.delete(_get_or_404(parse_path(ITEM_ID, "item_id", item_id)))
    session.commit()
    return "", 204
