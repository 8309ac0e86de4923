"""Each request's session gives its connection back before the response is sent (R17)."""

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from my_service.main import create_app
from my_service.settings import Settings

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
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        response = await client.request(method, path, json=payload)
        assert response.status_code == status
        engine: AsyncEngine = app.state.sessions.kw["bind"]
        assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
