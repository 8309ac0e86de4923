import contextlib
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import AsyncClient, Client


def test_liveness_touches_nothing_external(client: Client) -> None:
    # No django_db mark: pytest-django fails the test if the view touched the database.
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_reports_each_check(client: Client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_responses_carry_a_request_id(client: Client) -> None:
    generated = client.get("/health")
    assert len(generated.headers["X-Request-ID"]) == 32

    echoed = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"


def test_probes_answer_any_host_other_paths_do_not(client: Client) -> None:
    # Orchestrators probe by pod IP, which is not in ALLOWED_HOSTS.
    assert client.get("/health", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/nowhere", HTTP_HOST="10.1.2.3:8000").status_code == 400


@pytest.mark.anyio
async def test_asgi_handler_serves_the_probe(async_client: AsyncClient) -> None:
    response = await async_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@contextlib.contextmanager
def database_down() -> Iterator[None]:
    """Point new connections, in every thread, at an unreachable database; then restore."""
    configured = connections.settings["default"]
    saved = dict(configured)
    configured["OPTIONS"] = {}
    if configured["ENGINE"].endswith("sqlite3"):
        configured["NAME"] = "/nonexistent-dir/app.db"
    else:
        configured |= {"HOST": "127.0.0.1", "PORT": "1"}
    try:
        yield
    finally:
        configured.clear()
        configured.update(saved)


@pytest.mark.django_db
def test_readiness_fails_while_the_database_is_down_then_recovers(client: Client) -> None:
    with database_down():
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "checks": {"database": "down"}}
        assert client.get("/health").status_code == 200

    recovered = client.get("/health/ready")
    assert recovered.status_code == 200
    assert recovered.json() == {"status": "ok", "checks": {"database": "ok"}}
