import asyncio
import threading
import time

import pytest
from httpx import AsyncClient

from my_service.settings import Settings

from .framework import OPENAPI_PATH, serve

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
    assert body["checks"] == {}


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
