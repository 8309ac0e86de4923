"""Request dependencies, injected by parameter name; resources come from the lifespan's state.

Handlers declare them with the aliases below, e.g. `session: DbSession`.
"""

from collections.abc import AsyncIterator

import httpx
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from .db import session_scope


def provide_http_client(state: State) -> httpx.AsyncClient:
    client: httpx.AsyncClient = state.http_client
    return client


HttpClient = NamedDependency[httpx.AsyncClient]


async def provide_session(state: State) -> AsyncIterator[AsyncSession]:
    """One session per request (R17): committed before the response is sent, rolled back on
    error (Litestar closes generator dependencies before it sends the response)."""
    async with session_scope(state.sessions) as session:
        yield session


DbSession = NamedDependency[AsyncSession]


DEPENDENCIES: dict[str, Provide] = {
    "http_client": Provide(provide_http_client, sync_to_thread=False),
    "session": Provide(provide_session),
}
