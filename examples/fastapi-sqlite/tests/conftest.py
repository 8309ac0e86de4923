import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from httpx import AsyncClient
from sqlalchemy import Connection, delete
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from my_service.items.models import Item
from my_service.settings import Settings

from .framework import serve

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
    """Apply the Alembic migrations once per run, exactly as a deploy does, and undo them after.

    They run on the tests' own event loop: `alembic upgrade` on the command line would start
    (and close) a loop of its own.
    """
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        await _migrate(engine, "head", upgrade=True)
        yield database_url
        await _migrate(engine, "base", upgrade=False)
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_database_url(migrated_database_url: str) -> AsyncIterator[str]:
    """The migrated database, emptied after each test: fixtures end in the reverse order of
    their start, so the apps the test opened are closed by then."""
    yield migrated_database_url
    engine = create_async_engine(migrated_database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(Item))
    finally:
        await engine.dispose()


@pytest.fixture
def settings(empty_database_url: str) -> Settings:
    return Settings(
        environment="test",
        log_format="console",
        database_url=empty_database_url,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncClient]:
    async with serve(settings) as (_, client):
        yield client
