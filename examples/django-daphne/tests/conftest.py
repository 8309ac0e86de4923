"""pytest-django provides `client`, `async_client` and the database fixtures; settings come
from `config.settings.test` (pyproject.toml)."""

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
