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
