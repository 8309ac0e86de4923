from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..deps import DbSession
from .models import Item
from .schemas import ItemCreate, ItemPage, ItemRead, ItemUpdate


async def _get_or_404(session: AsyncSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise NotFoundException(detail=f"item {item_id} not found")
    return item


class ItemController(Controller):
    path = "/items"
    tags = ["items"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @post()
    async def create_item(self, data: JSONBody[ItemCreate], session: DbSession) -> ItemRead:
        item = Item(**data.model_dump())
        session.add(item)
        await session.flush()
        await session.refresh(item)
        return ItemRead.model_validate(item)

    @get()
    async def list_items(
        self,
        session: DbSession,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ItemPage:
        total = await session.scalar(select(func.count()).select_from(Item))
        rows = await session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
        return ItemPage(
            items=[ItemRead.model_validate(item) for item in rows],
            total=total or 0,
            limit=limit,
            offset=offset,
        )

    @get("/{item_id:int}")
    async def get_item(self, item_id: FromPath[int], session: DbSession) -> ItemRead:
        return ItemRead.model_validate(await _get_or_404(session, item_id))

    @patch("/{item_id:int}")
    async def update_item(
        self, item_id: FromPath[int], data: JSONBody[ItemUpdate], session: DbSession
    ) -> ItemRead:
        item = await _get_or_404(session, item_id)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("name", ...) is None:
            raise ValidationException(detail="name cannot be null")
        for field, value in changes.items():
            setattr(item, field, value)
        await session.flush()
        await session.refresh(item)
        return ItemRead.model_validate(item)

    @delete("/{item_id:int}")
    async def delete_item(self, item_id: FromPath[int], session: DbSession) -> None:
        await session.delete(await _get_or_404(session, item_id))
