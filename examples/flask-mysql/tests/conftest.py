import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from my_service.app import create_app
from my_service.db import get_session
from my_service.items.models import Item
from my_service.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The real database when DATABASE_URL is set (CI), a throwaway SQLite file otherwise."""
    return os.environ.get("DATABASE_URL") or (
        f"sqlite+pysqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )


@pytest.fixture(scope="session")
def migrated_database_url(database_url: str) -> Iterator[str]:
    """Apply the Alembic migrations once per run, exactly as a deploy does, and undo them after."""
    config = Config(PROJECT_ROOT / "alembic.ini")
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    yield database_url
    command.downgrade(config, "base")


@pytest.fixture
def settings(migrated_database_url: str) -> Settings:
    return Settings(
        environment="test",
        log_format="console",
        database_url=migrated_database_url,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    with app.app_context():
        session = get_session()
        session.execute(delete(Item))
        session.commit()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
