"""Request dependencies as `Annotated` aliases; resources come from the lifespan's state."""

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from .db import session_scope
from .settings import Settings


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_app_settings)]


def get_http_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.http_client
    return client


HttpClient = Annotated[httpx.AsyncClient, Depends(get_http_client)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with session_scope(request.app.state.sessions) as session:
        yield session


# scope="function": the session commits before the response is sent. FastAPI's default
# ("request") ends a `yield` dependency after the response, so a client could read its own write
# before it was committed, or get a 2xx for a write whose commit then failed.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
