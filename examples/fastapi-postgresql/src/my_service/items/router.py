from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import func, select

from ..deps import DbSession
from .models import Item
from .schemas import ItemCreate, ItemPage, ItemRead, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"])


async def _get_or_404(session: DbSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"item {item_id} not found")
    return item


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_item(payload: ItemCreate, session: DbSession) -> ItemRead:
    item = Item(**payload.model_dump())
    session.add(item)
    await session.flush()
    await session.refresh(item)
    return ItemRead.model_validate(item)


@router.get("")
async def list_items(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ItemPage:
    total = await session.scalar(select(func.count()).select_from(Item))
    rows = await session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return ItemPage(
        items=[ItemRead.model_validate(item) for item in rows],
        total=total or 0,
        limit=limit,
        offset=offset,
    )


@router.get("/{item_id}")
async def get_item(item_id: int, session: DbSession) -> ItemRead:
    return ItemRead.model_validate(await _get_or_404(session, item_id))


@router.patch("/{item_id}")
async def update_item(item_id: int, payload: ItemUpdate, session: DbSession) -> ItemRead:
    item = await _get_or_404(session, item_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("name", ...) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="name cannot be null")
    for field, value in changes.items():
        setattr(item, field, value)
    await session.flush()
    await session.refresh(item)
    return ItemRead.model_validate(item)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(item_id: int, session: DbSession) -> Response:
    await session.delete(await _get_or_404(session, item_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
