import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Connection, delete
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from my_service.items.models import Item
from my_service.main import create_app
from my_service.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The real database when DATABASE_URL is set (CI), a throwaway SQLite file otherwise."""
    return os.environ.get("DATABASE_URL") or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )


async def _migrate(engine: AsyncEngine, revision: str, *, upgrade: bool) -> None:
    config = Config(PROJECT_ROOT / "alembic.ini")
    config.attributes["configure_logger"] = False
    step = command.upgrade if upgrade else command.downgrade

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


@pytest.fixture(scope="session")
async def migrated_database_url(database_url: str) -> AsyncIterator[str]:
    """Apply the Alembic migrations once per run, exactly as a deploy does, and undo them after."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        await _migrate(engine, "head", upgrade=True)
        yield database_url
        await _migrate(engine, "base", upgrade=False)
    finally:
        await engine.dispose()


@pytest.fixture
def settings(migrated_database_url: str) -> Settings:
    return Settings(
        environment="test",
        log_format="console",
        database_url=migrated_database_url,
    )


@pytest.fixture
def openapi_path() -> str:
    return "/openapi.json"


# `async with open_app(settings) as (app, client)`: an app built from those settings, started
# (lifespan included), and a client that calls it in process.
type OpenApp = Callable[[Settings], AbstractAsyncContextManager[tuple[FastAPI, AsyncClient]]]


@pytest.fixture
def open_app() -> OpenApp:
    return serve


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield app, client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncClient]:
    async with serve(settings) as (app, client):
        yield client
        async with app.state.sessions.begin() as session:
            await session.execute(delete(Item))
