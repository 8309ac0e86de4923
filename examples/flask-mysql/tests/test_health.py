import threading
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from my_service.app import create_app
from my_service.logs import REQUEST_ID
from my_service.settings import Settings

from .outage import database_down, unreachable


def test_liveness_touches_nothing_external(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readiness_reports_each_check(client: FlaskClient) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok"}


def test_responses_carry_a_request_id(client: FlaskClient) -> None:
    generated = client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32

    echoed = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    # Each request runs in a context of its own: its id does not outlive it on this thread.
    assert REQUEST_ID.get() is None


def test_unknown_routes_and_methods_answer_json(client: FlaskClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json is not None
    assert missing.json["detail"] == "Not Found"
    assert len(missing.headers["x-request-id"]) == 32

    wrong_method = client.delete("/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json is not None
    assert wrong_method.json["detail"] == "Method Not Allowed"
    assert wrong_method.headers["allow"]


def test_openapi_schema_lists_the_routes(client: FlaskClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json is not None
    paths = response.json["paths"]
    assert "/health/ready" in paths
    # No 422 where no input is taken: flask-openapi would list one on every route.
    assert "422" not in paths["/health"]["get"]["responses"]
    invalid = paths["/items/{item_id}"]["patch"]["responses"]["422"]
    schema = invalid["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ValidationErrorResponse"}


def test_readiness_answers_within_one_deadline(settings: Settings) -> None:
    deadline = 0.5
    release = threading.Event()

    def hung() -> None:
        release.wait(10)

    app = create_app(settings.model_copy(update={"readiness_timeout_seconds": deadline}))
    app.extensions["readiness_checks"] = {"hung-1": hung, "hung-2": hung, "hung-3": hung}
    started = time.monotonic()
    try:
        ready = app.test_client().get("/health/ready")
    finally:
        release.set()
    elapsed = time.monotonic() - started
    assert ready.status_code == 503
    assert ready.json == {
        "status": "unavailable",
        "checks": {"hung-1": "down", "hung-2": "down", "hung-3": "down"},
    }
    assert elapsed < 2 * deadline  # one deadline for all checks, not one per hung check


@pytest.fixture
def client_without_database(settings: Settings) -> FlaskClient:
    broken = settings.model_copy(update={"database_url": unreachable(settings.database_url)})
    return create_app(broken).test_client()


def test_readiness_fails_while_the_database_is_down(
    client_without_database: FlaskClient,
) -> None:
    ready = client_without_database.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "checks": {"database": "down"}}

    live = client_without_database.get("/health")
    assert live.status_code == 200


def test_readiness_recovers_when_the_database_comes_back(
    settings: Settings, tmp_path: Path
) -> None:
    with database_down(settings.database_url, tmp_path) as (url, bring_back):
        client = create_app(settings.model_copy(update={"database_url": url})).test_client()
        assert client.get("/health/ready").status_code == 503

        bring_back()

        ready = client.get("/health/ready")
        assert ready.status_code == 200, ready.json
        assert ready.json == {"status": "ok", "checks": {"database": "ok"}}
