"""A bare Flask app: the generated service's `/health` and `/items` as a plain Flask app would
write them (same driver, pool size and queries), and nothing else. bench/run.py copies it into
the rendered project as `<package>._bench_bare` and serves it under the same command."""

import os
from datetime import datetime

from flask import Flask, g, request

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")
app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


if DATABASE_URL:
    from sqlalchemy import DateTime, Integer, String, create_engine, func, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

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

    engine = create_engine(DATABASE_URL, pool_pre_ping=True, pool_size=5, max_overflow=5)
    sessions = sessionmaker(engine, expire_on_commit=False)

    def session() -> Session:
        if "db" not in g:
            g.db = sessions()
        return g.db

    @app.teardown_appcontext
    def close(_exc: BaseException | None) -> None:
        if (db := g.pop("db", None)) is not None:
            db.close()

    def as_dict(item: "Item") -> dict[str, object]:
        return {
            "id": item.id,
            "name": item.name,
            "description": item.description,
            "created_at": item.created_at.isoformat(),
            "updated_at": item.updated_at.isoformat(),
        }

    @app.get("/items")
    def list_items() -> dict[str, object]:
        limit = request.args.get("limit", 20, type=int)
        offset = request.args.get("offset", 0, type=int)
        db = session()
        total = db.scalar(select(func.count()).select_from(Item))
        rows = db.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
        return {
            "items": [as_dict(r) for r in rows],
            "total": total or 0,
            "limit": limit,
            "offset": offset,
        }

    @app.post("/items")
    def create_item() -> tuple[dict[str, object], int]:
        payload = request.get_json()
        db = session()
        item = Item(name=payload["name"], description=payload.get("description"))
        db.add(item)
        db.flush()
        db.refresh(item)
        db.commit()
        return as_dict(item), 201
