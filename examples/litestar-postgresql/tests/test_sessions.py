"""Each request's session gives its connection back to the pool, whatever the response (R17)."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from my_service.settings import Settings

from .framework import serve

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("POST", "/items", {"name": "kept"}, 201),
        ("GET", "/items/999999", None, 404),
        ("PATCH", "/items/999999", {"name": "x"}, 404),
        ("POST", "/items", {"name": ""}, 422),
    ],
)
async def test_the_connection_is_back_in_the_pool_after_the_response(
    settings: Settings, method: str, path: str, payload: dict[str, str] | None, status: int
) -> None:
    async with serve(settings) as (app, client):
        response = await client.request(method, path, json=payload)
        assert response.status_code == status
        engine: AsyncEngine = app.state.sessions.kw["bind"]
        assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
