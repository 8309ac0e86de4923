from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound, UnprocessableEntity

from ..db import get_session
from ..errors import parse
from .models import Item
from .schemas import ItemCreate, ItemPage, ItemRead, ItemUpdate

bp = Blueprint("items", __name__, url_prefix="/items")


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


def _get_or_404(item_id: int) -> Item:
    item = get_session().get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    return item


@bp.post("")
def create_item() -> ResponseReturnValue:
    payload = parse(ItemCreate, request.get_json(silent=True), "body")
    session = get_session()
    item = Item(**payload.model_dump())
    session.add(item)
    session.commit()
    session.refresh(item)  # server-side defaults: created_at, updated_at
    return ItemRead.model_validate(item).model_dump(mode="json"), 201


@bp.get("")
def list_items() -> ResponseReturnValue:
    query = parse(PageQuery, request.args.to_dict(), "query")
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


@bp.get("/<int:item_id>")
def get_item(item_id: int) -> ResponseReturnValue:
    return ItemRead.model_validate(_get_or_404(item_id)).model_dump(mode="json")


@bp.patch("/<int:item_id>")
def update_item(item_id: int) -> ResponseReturnValue:
    payload = parse(ItemUpdate, request.get_json(silent=True), "body")
    item = _get_or_404(item_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("name", ...) is None:
        raise UnprocessableEntity("name cannot be null")
    for field, value in changes.items():
        setattr(item, field, value)
    session = get_session()
    session.commit()
    session.refresh(item)
    return ItemRead.model_validate(item).model_dump(mode="json")


@bp.delete("/<int:item_id>")
def delete_item(item_id: int) -> ResponseReturnValue:
    session = get_session()
    session.delete(_get_or_404(item_id))
    session.commit()
    return "", 204
