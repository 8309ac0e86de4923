from litestar import Controller, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..contract import ErrorResponse, ValidationErrorResponse
from ..deps import DbSession
from .models import Item
from .schemas import (
    DEFAULT_LIMIT,
    ItemCreate,
    ItemId,
    ItemPage,
    ItemRead,
    ItemUpdate,
    Limit,
    Offset,
)

# The path segment is matched as text and converted by the parameter, which takes ASCII digits
# within the column's range only (Litestar's `:int` route type also takes full-width digits).
ItemIdPath = FromPath[ItemId]

# What the routes answer besides success, for the OpenAPI document (contract.py).
NOT_FOUND = {404: ResponseSpec(ErrorResponse, description="No item has this id")}
INVALID = {422: ResponseSpec(ValidationErrorResponse, description="Invalid input")}
BODY_ERRORS = {
    400: ResponseSpec(ErrorResponse, description="The body could not be read"),
    413: ResponseSpec(ErrorResponse, description="The body is larger than MAX_BODY_BYTES"),
}


async def _get_or_404(session: AsyncSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise NotFoundException(detail=f"item {item_id} not found")
    return item


class ItemController(Controller):
    path = "/items"
    tags = ["items"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @post(responses={**INVALID, **BODY_ERRORS})
    async def create_item(self, data: JSONBody[ItemCreate], session: DbSession) -> ItemRead:
        item = Item(**data.model_dump())
        session.add(item)
        await session.flush()
        await session.refresh(item)
        return ItemRead.model_validate(item)

    @get(responses=INVALID)
    async def list_items(
        self,
        session: DbSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> ItemPage:
        total = await session.scalar(select(func.count()).select_from(Item))
        rows = await session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
        return ItemPage(
            items=[ItemRead.model_validate(item) for item in rows],
            total=total or 0,
            limit=limit,
            offset=offset,
        )

    @get("/{item_id:str}", responses={**NOT_FOUND, **INVALID})
    async def get_item(self, item_id: ItemIdPath, session: DbSession) -> ItemRead:
        return ItemRead.model_validate(await _get_or_404(session, item_id))

    @patch("/{item_id:str}", responses={**NOT_FOUND, **INVALID, **BODY_ERRORS})
    async def update_item(
        self, item_id: ItemIdPath, data: JSONBody[ItemUpdate], session: DbSession
    ) -> ItemRead:
        item = await _get_or_404(session, item_id)
        for field, value in data.changes().items():
            setattr(item, field, value)
        await session.flush()
        await session.refresh(item)
        return ItemRead.model_validate(item)

    @delete("/{item_id:str}", responses={**NOT_FOUND, **INVALID})
    async def delete_item(self, item_id: ItemIdPath, session: DbSession) -> None:
        await session.delete(await _get_or_404(session, item_id))
