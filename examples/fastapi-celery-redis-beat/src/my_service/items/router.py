from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from sqlalchemy import func, select

from ..contract import ErrorResponse, ValidationErrorResponse
from ..deps import DbSession
from ..errors import JSONBodyRoute
from .models import Item
from .schemas import ItemCreate, ItemId, ItemPage, ItemRead, ItemUpdate, PageQuery

# What the routes answer besides success, for the OpenAPI document (contract.py).
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}}
INVALID: dict[int | str, dict[str, Any]] = {422: {"model": ValidationErrorResponse}}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse},
    413: {"model": ErrorResponse},
}

router = APIRouter(prefix="/items", tags=["items"], responses=INVALID, route_class=JSONBodyRoute)

ItemIdPath = Annotated[ItemId, Path()]


async def _get_or_404(session: DbSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"item {item_id} not found")
    return item


@router.post("", status_code=status.HTTP_201_CREATED, responses=BODY_ERRORS)
async def create_item(payload: ItemCreate, session: DbSession) -> ItemRead:
    item = Item(**payload.model_dump())
    session.add(item)
    await session.flush()
    await session.refresh(item)
    return ItemRead.model_validate(item)


@router.get("")
async def list_items(session: DbSession, page: Annotated[PageQuery, Query()]) -> ItemPage:
    total = await session.scalar(select(func.count()).select_from(Item))
    rows = await session.scalars(
        select(Item).order_by(Item.id).limit(page.limit).offset(page.offset)
    )
    return ItemPage(
        items=[ItemRead.model_validate(item) for item in rows],
        total=total or 0,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{item_id}", responses=NOT_FOUND)
async def get_item(item_id: ItemIdPath, session: DbSession) -> ItemRead:
    return ItemRead.model_validate(await _get_or_404(session, item_id))


@router.patch("/{item_id}", responses={**NOT_FOUND, **BODY_ERRORS})
async def update_item(item_id: ItemIdPath, payload: ItemUpdate, session: DbSession) -> ItemRead:
    item = await _get_or_404(session, item_id)
    for field, value in payload.changes().items():
        setattr(item, field, value)
    await session.flush()
    await session.refresh(item)
    return ItemRead.model_validate(item)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_item(item_id: ItemIdPath, session: DbSession) -> Response:
    await session.delete(await _get_or_404(session, item_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
