from datetime import datetime

from services.dispatch.service import DispatchService
from tests.dispatch.helpers import admin_caller, grid_tree, token_headers, triage


def test_a_triaged_issue_becomes_one_order_at_its_grid(platform):
    client = platform.start(DispatchService)
    ids = grid_tree(platform)
    issue_id = triage(platform, grid_id=ids["W1"])
    worker = platform.headers("grid_worker", "A", "w1", grid_id=ids["W1"])
    response = client.get(f"/orders/o-{issue_id}", headers=worker)
    assert response.status_code == 200, response.text
    order = response.json()
    assert order["level"] == "grid" and order["grid_id"] == ids["W1"]
    assert client.post(f"/orders/o-{issue_id}/claim", headers=worker).status_code == 200
    # The issue triaged again (a new event id, so the inbox does not drop it): still one order.
    triage(platform, grid_id=ids["W2"], issue_id=issue_id)
    admin = platform.headers("community_admin")
    page = client.get("/orders", headers=admin).json()["items"]
    listed = [o for o in page if o["issue_id"] == issue_id]
    assert [(o["id"], o["grid_id"], o["state"]) for o in listed] == [
        (f"o-{issue_id}", ids["W1"], "claimed")]
    assert listed[0]["timeline"] == []  # a page leaves histories out: one more read an item
    timeline = client.get(f"/orders/o-{issue_id}", headers=admin).json()["timeline"]
    assert [t["kind"] for t in timeline] == ["created", "claimed"]


def _datetimes(value, path=""):  # noqa: ANN001, ANN202
    """(path, parsed) for every ISO datetime string anywhere in a view."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _datetimes(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _datetimes(item, f"{path}[]")
    elif isinstance(value, str) and "T" in value:
        try:
            yield path, datetime.fromisoformat(value)
        except ValueError:
            return


def test_an_order_over_rpc_carries_timezone_aware_datetimes_at_every_depth(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    order_id = client.post("/orders", headers=admin, json={
        "category": "road", "summary": "坑", "person_id": "u-gw-root"}).json()["id"]
    assert client.post(f"/orders/{order_id}/whistle", headers=admin,
                       json={"departments": ["police"]}).status_code == 200
    police = token_headers(platform, "department", "u-police", department_id="police")
    assert client.post(f"/orders/{order_id}/report-in", headers=police).status_code == 200
    with platform.rpc() as rpc:
        view = rpc.dispatch.get_order(admin_caller(platform, "A"), order_id)
    found = dict(_datetimes(view))
    assert {".opened_at", ".created_at", ".claimed_at", ".response_due_at",
            ".resolution_due_at", ".timeline[].at", ".whistles[].at", ".whistles[].due_at",
            ".report_ins[].whistled_at", ".report_ins[].due_at",
            ".report_ins[].reported_at"} <= set(found)
    assert [path for path, at in _datetimes(view) if at.utcoffset() is None] == []
    assert not {"outbox", "outbox_pending", "version", "breaches", "next_due_ts",
                "resolution_due_ts"} & set(view)
