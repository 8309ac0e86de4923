"""What the tests need from FastAPI itself: how to serve the app in process, and where it
publishes its OpenAPI document. The fixtures and tests around it are framework-neutral."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from my_service.main import create_app
from my_service.settings import Settings

OPENAPI_PATH = "/openapi.json"


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """`async with serve(settings) as (app, client)`: an app built from those settings, started
    (lifespan included) on the test's event loop, and a client that calls it in process."""
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield app, client
