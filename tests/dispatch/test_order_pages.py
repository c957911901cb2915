"""Order lists are keyset pages: never more than asked, no item skipped or repeated while new
orders arrive, on a key listing and on one checked per item (a department's)."""

from __future__ import annotations

from services.dispatch.service import DispatchService
from tests.dispatch.helpers import token_headers


def _pages(client, headers: dict, limit: int, between) -> list[str]:  # noqa: ANN001
    seen, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = client.get("/orders", headers=headers, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        seen += [o["id"] for o in page["items"]]
        between()
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_pages_are_bounded_and_cover_every_order_once_while_orders_arrive(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")

    def make(**extra: object) -> str:
        made = client.post("/orders", headers=admin,
                           json={"category": "road", "summary": "坑", **extra})
        assert made.status_code == 201, made.text
        return made.json()["id"]

    first = [make() for _ in range(7)]
    seen = _pages(client, admin, 3, make)
    assert seen == list(reversed(first))  # newest first; the newcomers wait for a first page
    assert client.get("/orders", headers=admin, params={"limit": 101}).status_code == 422

    police = token_headers(platform, "department", "u-police", department_id="police")
    theirs = [make(department_id="police") if i % 3 == 0 else make() for i in range(9)]
    named = [o for i, o in enumerate(theirs) if i % 3 == 0]
    seen = _pages(client, police, 2, lambda: make(department_id="police"))
    assert seen == list(reversed(named))


def test_the_board_by_deadline_pages_a_communitys_active_orders_nearest_first(platform):
    """Across pages, not within one: the nearest resolution deadline first, a finished order
    gone from it, bounded pages whatever the number of orders."""
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")

    def make(hours: float) -> str:  # the 30-hour one assigned, to be resolved below
        made = client.post("/orders", headers=admin, json={
            "category": "road", "summary": f"坑 {hours}", "resolution_hours": hours} | (
                {"person_id": "u-gw-deadline"} if hours == 30 else {}))
        assert made.status_code == 201, made.text
        return made.json()["id"]

    made = {hours: make(hours) for hours in (72, 30, 240, 48, 36)}
    seen, cursor = [], None
    while True:
        page = client.get("/orders", headers=admin, params={
            "by_deadline": "true", "limit": 2} | ({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) <= 2
        seen += [o["id"] for o in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [made[h] for h in sorted(made)]
    worker = token_headers(platform, "grid_worker", "u-gw-deadline")
    assert client.post(f"/orders/{made[30]}/acknowledge", headers=worker).status_code == 200
    resolved = client.post(f"/orders/{made[30]}/result", headers=worker, json={
        "result": "已填平", "evidence": ["photo://road-after"]})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved", resolved.text
    first = client.get("/orders", headers=admin, params={"by_deadline": "true", "limit": 2})
    assert [o["id"] for o in first.json()["items"]] == [made[36], made[48]]
