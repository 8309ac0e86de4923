"""What the tests need from Litestar itself: how to serve the app in process, and where it
publishes its OpenAPI document. The fixtures and tests around it are framework-neutral."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.testing import AsyncTestClient

from my_service.main import create_app
from my_service.settings import Settings

OPENAPI_PATH = "/schema/openapi.json"


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[tuple[Litestar, AsyncTestClient[Litestar]]]:
    """`async with serve(settings) as (app, client)`: an app built from those settings and a client
    that calls it in process. The client starts the app (lifespan included) on an event loop of
    its own, in another thread: work on the app's engine or pools belongs there, not in the test."""
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        yield app, client
