import pytest
from flask.testing import FlaskClient

from tests.bad_input import CORPUS, BadRequest, assert_error


def _create(client: FlaskClient, name: str, description: str | None = None) -> int:
    response = client.post("/items", json={"name": name, "description": description})
    assert response.status_code == 201, response.text
    assert response.json is not None
    item_id: int = response.json["id"]
    return item_id


def test_create_then_read(client: FlaskClient) -> None:
    item_id = _create(client, "widget", "a small part")

    response = client.get(f"/items/{item_id}")

    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["name"] == "widget"
    assert body["description"] == "a small part"
    assert body["created_at"]


def test_missing_item_is_404(client: FlaskClient) -> None:
    response = client.get("/items/999999")
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["detail"] == "item 999999 not found"
    assert response.json["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    "payload",
    [
        {"name": ""},
        {"name": "x" * 101},
        {"description": "no name"},
        {"name": "ok", "unexpected": 1},
        ["not", "an", "object"],
    ],
)
def test_invalid_payload_is_422(client: FlaskClient, payload: object) -> None:
    response = client.post("/items", json=payload)
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["detail"][0]["loc"][0] == "body"


def test_malformed_json_is_422(client: FlaskClient) -> None:
    response = client.post("/items", data=b"{not json", content_type="application/json")
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["detail"][0]["loc"] == ["body"]
    # Read as JSON whatever the content type says.
    assert client.post("/items", data="name=x", content_type="text/plain").status_code == 422


def test_list_paginates_in_id_order(client: FlaskClient) -> None:
    ids = [_create(client, f"item-{n}") for n in range(5)]

    first = client.get("/items", query_string={"limit": 2}).json
    rest = client.get("/items", query_string={"limit": 10, "offset": 2}).json

    assert first is not None
    assert rest is not None
    assert first["total"] == 5
    assert [item["id"] for item in first["items"]] == ids[:2]
    assert [item["id"] for item in rest["items"]] == ids[2:]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 2**31}]
)
def test_paging_out_of_range_is_422(client: FlaskClient, params: dict[str, int]) -> None:
    response = client.get("/items", query_string=params)
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["detail"][0]["loc"] == ["query", *params]


def test_update_changes_only_given_fields(client: FlaskClient) -> None:
    item_id = _create(client, "before", "kept")

    response = client.patch(f"/items/{item_id}", json={"name": "after"})

    assert response.status_code == 200
    assert response.json is not None
    assert response.json["name"] == "after"
    assert response.json["description"] == "kept"
    assert client.patch("/items/999999", json={"name": "x"}).status_code == 404


def test_a_null_name_is_422(client: FlaskClient) -> None:
    # A name cannot be removed; a null description removes the description.
    item_id = _create(client, "named", "described")

    assert client.post("/items", json={"name": None}).status_code == 422
    null_name = client.patch(f"/items/{item_id}", json={"name": None})
    assert null_name.status_code == 422
    assert null_name.json is not None
    assert null_name.json["detail"][0]["loc"] == ["body", "name"]
    cleared = client.patch(f"/items/{item_id}", json={"description": None}).json
    assert cleared is not None
    assert (cleared["name"], cleared["description"]) == ("named", None)


def test_delete_removes_the_item(client: FlaskClient) -> None:
    item_id = _create(client, "doomed")

    assert client.delete(f"/items/{item_id}").status_code == 204
    assert client.get(f"/items/{item_id}").status_code == 404
    assert client.delete(f"/items/{item_id}").status_code == 404


def test_ids_are_never_reused(client: FlaskClient) -> None:
    first = _create(client, "first")
    second = _create(client, "second")
    assert client.delete(f"/items/{second}").status_code == 204

    assert _create(client, "third") > second > first


def test_timestamps_carry_their_offset(client: FlaskClient) -> None:
    item_id = _create(client, "dated")

    body = client.get(f"/items/{item_id}").json

    assert body is not None
    assert body["created_at"].endswith(("Z", "+00:00"))


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_bad_input_gets_a_json_error(client: FlaskClient, case: BadRequest) -> None:
    kept = _create(client, "kept")
    content_type = "application/json" if case.body is not None else None

    response = client.open(case.path, method=case.method, data=case.body, content_type=content_type)

    assert_error(response.status_code, response.headers, response.data, case.status)
    assert client.get(f"/items/{kept}").status_code == 200
