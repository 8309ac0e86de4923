import pytest
from django.test import Client

from tests.bad_input import CORPUS, BadRequest, assert_error

pytestmark = pytest.mark.django_db


def _create(client: Client, name: str, description: str | None = None) -> int:
    payload = {"name": name, "description": description}
    response = client.post("/items", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    item_id: int = response.json()["id"]
    return item_id


def test_create_then_read(client: Client) -> None:
    item_id = _create(client, "widget", "a small part")

    response = client.get(f"/items/{item_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "widget"
    assert body["description"] == "a small part"
    assert body["created_at"]


def test_missing_item_is_404(client: Client) -> None:
    response = client.get("/items/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "item 999999 not found"
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    "payload",
    [
        {"name": ""},
        {"name": "x" * 101},
        {"description": "no name"},
        {"name": "ok", "unexpected": 1},
    ],
)
def test_invalid_payload_is_422(client: Client, payload: dict[str, object]) -> None:
    response = client.post("/items", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_malformed_json_is_422(client: Client) -> None:
    response = client.post("/items", "{not json", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_list_paginates_in_id_order(client: Client) -> None:
    ids = [_create(client, f"item-{n}") for n in range(5)]

    first = client.get("/items", {"limit": 2}).json()
    rest = client.get("/items", {"limit": 10, "offset": 2}).json()

    assert first["total"] == 5
    assert [item["id"] for item in first["items"]] == ids[:2]
    assert [item["id"] for item in rest["items"]] == ids[2:]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 2**31}]
)
def test_paging_out_of_range_is_422(client: Client, params: dict[str, int]) -> None:
    response = client.get("/items", params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", *params]


def test_update_changes_only_given_fields(client: Client) -> None:
    item_id = _create(client, "before", "kept")

    response = client.patch(f"/items/{item_id}", {"name": "after"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["name"] == "after"
    assert response.json()["description"] == "kept"
    missing = client.patch("/items/999999", {"name": "x"}, content_type="application/json")
    assert missing.status_code == 404


def test_a_null_name_is_422(client: Client) -> None:
    # A name cannot be removed; a null description removes the description.
    item_id = _create(client, "named", "described")

    assert client.post("/items", {"name": None}, content_type="application/json").status_code == 422
    null_name = client.patch(f"/items/{item_id}", {"name": None}, content_type="application/json")
    assert null_name.status_code == 422
    assert null_name.json()["detail"][0]["loc"] == ["body", "name"]
    no_description = {"description": None}
    cleared = client.patch(f"/items/{item_id}", no_description, content_type="application/json")
    assert (cleared.json()["name"], cleared.json()["description"]) == ("named", None)


def test_delete_removes_the_item(client: Client) -> None:
    item_id = _create(client, "doomed")

    assert client.delete(f"/items/{item_id}").status_code == 204
    assert client.get(f"/items/{item_id}").status_code == 404
    assert client.delete(f"/items/{item_id}").status_code == 404


def test_ids_are_never_reused(client: Client) -> None:
    first = _create(client, "first")
    second = _create(client, "second")
    assert client.delete(f"/items/{second}").status_code == 204

    assert _create(client, "third") > second > first


def test_timestamps_carry_their_offset(client: Client) -> None:
    item_id = _create(client, "dated")

    created_at = client.get(f"/items/{item_id}").json()["created_at"]

    assert created_at.endswith(("Z", "+00:00"))


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_bad_input_gets_a_json_error(client: Client, case: BadRequest) -> None:
    kept = _create(client, "kept")

    response = client.generic(case.method, case.path, case.body or b"", "application/json")

    assert_error(response.status_code, response.headers, response.content, case.status)
    assert client.get(f"/items/{kept}").status_code == 200
