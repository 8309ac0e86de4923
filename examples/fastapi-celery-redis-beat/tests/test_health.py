from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url

from my_service.main import create_app
from my_service.settings import Settings

pytestmark = pytest.mark.anyio


async def test_liveness_touches_nothing_external(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_reports_each_check(client: AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "ok"}


async def test_responses_carry_a_request_id(client: AsyncClient) -> None:
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32

    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"


def _unreachable(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return url.set(database="/nonexistent-dir/app.db").render_as_string(hide_password=False)
    return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)


@pytest.fixture
async def client_without_database(settings: Settings) -> AsyncIterator[AsyncClient]:
    broken = settings.model_copy(update={"database_url": _unreachable(settings.database_url)})
    app = create_app(broken)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield client


async def test_readiness_fails_while_the_database_is_down(
    client_without_database: AsyncClient,
) -> None:
    ready = await client_without_database.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "checks": {"database": "down", "broker": "ok"},
    }

    live = await client_without_database.get("/health")
    assert live.status_code == 200
