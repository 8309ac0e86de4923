from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from my_service.settings import Settings

from .framework import serve


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test",
        log_format="console",
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncClient]:
    async with serve(settings) as (_, client):
        yield client
