import pytest
from httpx import AsyncClient

from tests.bad_input import CORPUS, BadRequest, assert_error

pytestmark = pytest.mark.anyio


async def _create(client: AsyncClient, name: str, description: str | None = None) -> int:
    response = await client.post("/items", json={"name": name, "description": description})
    assert response.status_code == 201, response.text
    item_id: int = response.json()["id"]
    return item_id


async def test_create_then_read(client: AsyncClient) -> None:
    item_id = await _create(client, "widget", "a small part")

    response = await client.get(f"/items/{item_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "widget"
    assert body["description"] == "a small part"
    assert body["created_at"]


async def test_missing_item_is_404(client: AsyncClient) -> None:
    response = await client.get("/items/999999")
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
async def test_invalid_payload_is_422(client: AsyncClient, payload: dict[str, object]) -> None:
    response = await client.post("/items", json=payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


async def test_malformed_json_is_422(client: AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    response = await client.post("/items", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


async def test_list_paginates_in_id_order(client: AsyncClient) -> None:
    ids = [await _create(client, f"item-{n}") for n in range(5)]

    first = (await client.get("/items", params={"limit": 2})).json()
    rest = (await client.get("/items", params={"limit": 10, "offset": 2})).json()

    assert first["total"] == 5
    assert [item["id"] for item in first["items"]] == ids[:2]
    assert [item["id"] for item in rest["items"]] == ids[2:]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 2**31}]
)
async def test_paging_out_of_range_is_422(client: AsyncClient, params: dict[str, int]) -> None:
    response = await client.get("/items", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", *params]


async def test_update_changes_only_given_fields(client: AsyncClient) -> None:
    item_id = await _create(client, "before", "kept")

    response = await client.patch(f"/items/{item_id}", json={"name": "after"})

    assert response.status_code == 200
    assert response.json()["name"] == "after"
    assert response.json()["description"] == "kept"
    assert (await client.patch("/items/999999", json={"name": "x"})).status_code == 404


async def test_a_null_name_is_422(client: AsyncClient) -> None:
    # A name cannot be removed; a null description removes the description.
    item_id = await _create(client, "named", "described")

    assert (await client.post("/items", json={"name": None})).status_code == 422
    null_name = await client.patch(f"/items/{item_id}", json={"name": None})
    assert null_name.status_code == 422
    assert null_name.json()["detail"][0]["loc"] == ["body", "name"]
    cleared = (await client.patch(f"/items/{item_id}", json={"description": None})).json()
    assert (cleared["name"], cleared["description"]) == ("named", None)


async def test_delete_removes_the_item(client: AsyncClient) -> None:
    item_id = await _create(client, "doomed")

    assert (await client.delete(f"/items/{item_id}")).status_code == 204
    assert (await client.get(f"/items/{item_id}")).status_code == 404
    assert (await client.delete(f"/items/{item_id}")).status_code == 404


async def test_ids_are_never_reused(client: AsyncClient) -> None:
    first = await _create(client, "first")
    second = await _create(client, "second")
    assert (await client.delete(f"/items/{second}")).status_code == 204

    assert await _create(client, "third") > second > first


async def test_timestamps_carry_their_offset(client: AsyncClient) -> None:
    item_id = await _create(client, "dated")

    created_at = (await client.get(f"/items/{item_id}")).json()["created_at"]

    assert created_at.endswith(("Z", "+00:00"))


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
async def test_bad_input_gets_a_json_error(client: AsyncClient, case: BadRequest) -> None:
    kept = await _create(client, "kept")
    headers = {"content-type": "application/json"} if case.body is not None else {}

    response = await client.request(case.method, case.path, content=case.body, headers=headers)

    assert_error(response.status_code, response.headers, response.content, case.status)
    assert (await client.get(f"/items/{kept}")).json()["name"] == "kept"
