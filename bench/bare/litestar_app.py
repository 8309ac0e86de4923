"""A bare Litestar app: the generated service's `/health` and `/items` as a plain Litestar tutorial
would write them (same driver, pool size and queries), and nothing else. bench/run.py copies it
into the rendered project as `<package>._bench_bare` and serves it under the same command."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from litestar import Litestar, get, post
from litestar.datastructures import State
from litestar.di import Provide
from pydantic import BaseModel, ConfigDict

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")

if DATABASE_URL:
    from sqlalchemy import DateTime, Integer, String, func, select
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"

        id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
        name: Mapped[str] = mapped_column(String(100))
        description: Mapped[str | None] = mapped_column(String(500))
        created_at: Mapped[datetime] = mapped_column(
            DateTime(timezone=True), server_default=func.now()
        )
        updated_at: Mapped[datetime] = mapped_column(
            DateTime(timezone=True), server_default=func.now()
        )


class ItemCreate(BaseModel):
    name: str
    description: str | None = None


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemRead]
    total: int
    limit: int
    offset: int


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    if DATABASE_URL:
        engine = create_async_engine(DATABASE_URL, pool_pre_ping=True, pool_size=5, max_overflow=5)
        app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
        yield
        await engine.dispose()
    else:
        yield


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


async def provide_session(state: State) -> AsyncIterator[Any]:
    async with state.sessions() as session:
        yield session
        await session.commit()


@get("/items")
async def list_items(session: Any, limit: int = 20, offset: int = 0) -> ItemPage:
    total = await session.scalar(select(func.count()).select_from(Item))
    rows = await session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return ItemPage(
        items=[ItemRead.model_validate(r) for r in rows],
        total=total or 0,
        limit=limit,
        offset=offset,
    )


@post("/items")
async def create_item(data: ItemCreate, session: Any) -> ItemRead:
    item = Item(**data.model_dump())
    session.add(item)
    await session.flush()
    await session.refresh(item)
    return ItemRead.model_validate(item)


app = Litestar(
    route_handlers=[health, *([list_items, create_item] if DATABASE_URL else [])],
    dependencies={"session": Provide(provide_session)},
    lifespan=[lifespan],
)
