"""A bare FastAPI app: the generated service's `/health` and `/items` as a plain FastAPI tutorial
would write them (same driver, pool size and queries), and nothing else. bench/run.py copies it
into the rendered project as `<package>._bench_bare` and serves it under the same command."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")

if DATABASE_URL:
    from sqlalchemy import DateTime, Integer, String, func, select
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
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
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if DATABASE_URL:
        engine = create_async_engine(DATABASE_URL, pool_pre_ping=True, pool_size=5, max_overflow=5)
        app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
        yield
        await engine.dispose()
    else:
        yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


async def get_session(request: Request) -> AsyncIterator["AsyncSession"]:
    async with request.app.state.sessions() as session:
        yield session
        await session.commit()


Session = Annotated["AsyncSession", Depends(get_session)]


@app.get("/items")
async def list_items(
    session: Session, limit: Annotated[int, Query()] = 20, offset: int = 0
) -> ItemPage:
    total = await session.scalar(select(func.count()).select_from(Item))
    rows = await session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return ItemPage(
        items=[ItemRead.model_validate(r) for r in rows],
        total=total or 0,
        limit=limit,
        offset=offset,
    )


@app.post("/items", status_code=201)
async def create_item(payload: ItemCreate, session: Session) -> ItemRead:
    item = Item(**payload.model_dump())
    session.add(item)
    await session.flush()
    await session.refresh(item)
    return ItemRead.model_validate(item)
