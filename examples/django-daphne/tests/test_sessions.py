"""Each request gives its database connection back when it ends, whatever the response (R17):
`CONN_MAX_AGE = 0` ends it and psycopg's pool takes it back.

Django's test client keeps the connection open across requests for the test's transaction, so
these requests go through the WSGI application a server calls and end as a server ends them:
`close()` on the response, which sends `request_finished`."""

import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import RequestFactory

from config.wsgi import application


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: object = None, /
) -> Callable[[bytes], object]:
    return lambda _: None  # the body stays in the response; nothing is written


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("POST", "/items", {"name": "kept"}, 201),
        ("GET", "/items/999999", None, 404),
        ("PATCH", "/items/999999", {"name": "x"}, 404),
        ("POST", "/items", {"name": ""}, 422),
    ],
)
@pytest.mark.django_db(transaction=True)  # the requests commit, as they do in production
def test_the_connection_is_back_in_the_pool_after_the_response(
    method: str, path: str, payload: dict[str, str] | None, status: int
) -> None:
    body = "" if payload is None else json.dumps(payload)
    request = RequestFactory().generic(method, path, body, content_type="application/json")
    response = application(request.environ, _start_response)
    response.close()  # what the server does once the body is sent
    assert response.status_code == status
    assert connection.connection is None
