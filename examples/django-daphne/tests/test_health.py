import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import AsyncClient, Client, override_settings

# The readiness checks of test_readiness_answers_within_one_deadline: hung until released.
RELEASE = threading.Event()


def hung() -> None:
    RELEASE.wait(10)


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


def test_unknown_routes_and_methods_answer_json(client: Client) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Not Found"
    assert missing.json()["request_id"] == missing.headers["x-request-id"]
    assert len(missing.headers["x-request-id"]) == 32

    wrong_method = client.delete("/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"] == "Method Not Allowed"
    assert wrong_method.headers["allow"]


@pytest.mark.django_db
def test_openapi_schema_lists_the_routes(client: Client) -> None:
    # The probes are middleware and the task views plain Django views, outside Django Ninja's
    # document; the items API is in it.
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/items/{item_id}" in response.json()["paths"]


def test_readiness_answers_within_one_deadline(client: Client) -> None:
    deadline = 0.5
    checks = dict.fromkeys(("hung-1", "hung-2", "hung-3"), f"{__name__}.hung")
    RELEASE.clear()
    started = time.monotonic()
    try:
        with override_settings(READINESS_CHECKS=checks, READINESS_TIMEOUT_SECONDS=deadline):
            ready = client.get("/health/ready")
    finally:
        RELEASE.set()
    elapsed = time.monotonic() - started
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "checks": {"hung-1": "down", "hung-2": "down", "hung-3": "down"},
    }
    assert elapsed < 2 * deadline  # one deadline for all checks, not one per hung check


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
def test_readiness_fails_while_the_database_is_down(client: Client) -> None:
    with database_down():
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "checks": {"database": "down"}}
        assert client.get("/health").status_code == 200


@pytest.mark.django_db
def test_readiness_recovers_when_the_database_comes_back(client: Client) -> None:
    with database_down():
        assert client.get("/health/ready").status_code == 503

    recovered = client.get("/health/ready")
    assert recovered.status_code == 200
    assert recovered.json() == {"status": "ok", "checks": {"database": "ok"}}
