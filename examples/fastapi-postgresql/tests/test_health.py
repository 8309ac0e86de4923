import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import AsyncClient

from my_service.settings import Settings

from .framework import OPENAPI_PATH, serve
from .outage import database_down, unreachable

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
    assert body["checks"] == {"database": "ok"}


async def test_responses_carry_a_request_id(client: AsyncClient) -> None:
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32

    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"


async def test_unknown_routes_and_methods_answer_json(client: AsyncClient) -> None:
    missing = await client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Not Found"
    assert missing.json()["request_id"] == missing.headers["x-request-id"]
    assert len(missing.headers["x-request-id"]) == 32

    wrong_method = await client.delete("/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"] == "Method Not Allowed"
    assert wrong_method.headers["allow"]


async def test_openapi_schema_lists_the_routes(client: AsyncClient) -> None:
    response = await client.get(OPENAPI_PATH)
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/health/ready" in paths
    assert "/items/{item_id}" in paths


async def test_readiness_answers_within_one_deadline(settings: Settings) -> None:
    deadline = 0.5
    release = threading.Event()

    async def hung() -> None:  # blocked on a thread, which no cancellation ends
        await asyncio.to_thread(release.wait, 10)

    deadline_settings = settings.model_copy(update={"readiness_timeout_seconds": deadline})
    async with serve(deadline_settings) as (app, client):
        app.state.readiness_checks = {"hung-1": hung, "hung-2": hung, "hung-3": hung}
        started = time.monotonic()
        try:
            ready = await client.get("/health/ready")
        finally:
            release.set()
        elapsed = time.monotonic() - started
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"hung-1": "down", "hung-2": "down", "hung-3": "down"}
    assert elapsed < 2 * deadline  # one deadline for all checks, not one per hung check


@pytest.fixture
async def client_without_database(settings: Settings) -> AsyncIterator[AsyncClient]:
    broken = settings.model_copy(update={"database_url": unreachable(settings.database_url)})
    async with serve(broken) as (_, client):
        yield client


async def test_readiness_fails_while_the_database_is_down(
    client_without_database: AsyncClient,
) -> None:
    ready = await client_without_database.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "checks": {"database": "down"}}

    live = await client_without_database.get("/health")
    assert live.status_code == 200


async def test_readiness_recovers_when_the_database_comes_back(
    settings: Settings, tmp_path: Path
) -> None:
    with database_down(settings.database_url, tmp_path) as (url, bring_back):
        async with serve(settings.model_copy(update={"database_url": url})) as (_, client):
            assert (await client.get("/health/ready")).status_code == 503

            bring_back()

            ready = await client.get("/health/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json() == {"status": "ok", "checks": {"database": "ok"}}
