"""Each request's session gives its connection back when the request ends (R17)."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("POST", "/items", {"name": "kept"}, 201),
        ("GET", "/items/999999", None, 404),
        ("PATCH", "/items/999999", {"name": "x"}, 404),
        ("POST", "/items", {"name": ""}, 422),
    ],
)
def test_the_connection_is_back_in_the_pool_after_the_response(
    app: Flask,
    client: FlaskClient,
    method: str,
    path: str,
    payload: dict[str, str] | None,
    status: int,
) -> None:
    response = client.open(path, method=method, json=payload)
    assert response.status_code == status
    sessions: sessionmaker[Session] = app.extensions["db_sessions"]
    assert sessions.kw["bind"].pool.checkedout() == 0
