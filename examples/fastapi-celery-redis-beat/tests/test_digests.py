"""The example task end to end through a real worker on the in-memory broker (R23, not eager)."""

import asyncio
import hashlib
from collections.abc import AsyncIterator

import pytest
from celery import Celery
from celery.contrib.testing.worker import TestWorkController
from httpx import AsyncClient

from my_service.digests.tasks import SALT, compute_digest, digest_task_id
from my_service.settings import Settings

from .framework import serve

pytestmark = pytest.mark.anyio


def expected_digest(text: str, rounds: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", text.encode(), SALT, rounds).hex()


def test_the_task_is_idempotent() -> None:
    # Late ack can deliver a task twice (R20): a second run must give the same, harmless result.
    assert compute_digest("order 42", 1_000) == compute_digest("order 42", 1_000)
    assert compute_digest("order 42", 1_000) == expected_digest("order 42", 1_000)


def test_a_retried_request_reuses_the_task_id() -> None:
    assert digest_task_id("a", 10) == digest_task_id("a", 10)
    assert digest_task_id("a", 10) != digest_task_id("a", 11)


async def test_invalid_input_is_refused(client: AsyncClient) -> None:
    refused = await client.post("/digests", json={"text": "", "rounds": 0})
    assert refused.status_code == 422


async def test_round_trip_through_a_worker(
    client: AsyncClient, celery_app: Celery, celery_worker: TestWorkController
) -> None:
    accepted = await client.post("/digests", json={"text": "order 42", "rounds": 1_000})
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["task_id"] == digest_task_id("order 42", 1_000)

    for _ in range(100):
        status = (await client.get(body["status_url"])).json()
        if status["state"] == "SUCCESS":
            break
        await asyncio.sleep(0.05)
    assert status == {
        "task_id": body["task_id"],
        "state": "SUCCESS",
        "result": expected_digest("order 42", 1_000),
        "error": None,
    }


async def test_an_unknown_task_is_pending(client: AsyncClient) -> None:
    status = (await client.get("/tasks/no-such-task")).json()
    assert status["state"] == "PENDING"


@pytest.fixture
async def client_without_broker(settings: Settings) -> AsyncIterator[AsyncClient]:
    unreachable = "redis://127.0.0.1:1/0"
    broken = settings.model_copy(update={"celery_broker_url": unreachable})
    async with serve(broken) as (_, client):
        yield client


async def test_readiness_fails_while_the_broker_is_down(client_without_broker: AsyncClient) -> None:
    ready = await client_without_broker.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"] == "down"
    assert (await client_without_broker.get("/health")).status_code == 200
