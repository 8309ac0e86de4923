from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from my_service.main import create_app
from my_service.settings import Settings


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
    async with serve(settings) as (_, client):
        yield client
