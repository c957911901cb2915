"""Every intake list is a keyset page: never longer than its limit, and a cursor neither skips
nor repeats an item while new items arrive. Through the gateway, small data."""

from __future__ import annotations

import pytest

from services.intake.service import IntakeService
from tests.intake.helpers import file_issue, publish_order, sign_in
from tests.platform import error_of


def _walk(client, path: str, headers: dict, limit: int, params: dict | None = None,
          between=None) -> list[list[dict]]:
    """Every page of a list, calling `between(n)` after page n (to add items meanwhile)."""
    pages, cursor = [], None
    while True:
        query = {**(params or {}), "limit": limit} | ({"cursor": cursor} if cursor else {})
        response = client.get(path, headers=headers, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= limit
        pages.append(body["items"])
        if between is not None:
            between(len(pages))
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_issue_pages_neither_skip_nor_repeat_while_issues_arrive(platform):
    client = platform.start(IntakeService)
    admin = sign_in(platform, "community_admin")
    before = [file_issue(platform, name=str(n))["id"] for n in range(7)]
    arrived: list[str] = []

    def file_more(page: int) -> None:
        if page <= 2:
            arrived.extend(file_issue(platform, name=f"new{page}{n}")["id"] for n in range(2))

    pages = _walk(client, "/issues", admin, 3, between=file_more)
    seen = [i["id"] for page in pages for i in page]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert seen == list(reversed(before))  # newest first, each once; newcomers not mixed in
    first = client.get("/issues", headers=admin, params={"limit": 4}).json()["items"]
    assert [i["id"] for i in first] == list(reversed(arrived))  # they lead the next walk


def test_a_timeline_pages_oldest_first_and_takes_in_steps_added_while_paging(platform):
    client = platform.start(IntakeService)
    issue = file_issue(platform)
    for reason in ("一", "二", "三"):
        publish_order(platform, "order.returned", issue, reason=reason)

    def add_step(page: int) -> None:
        if page == 1:
            publish_order(platform, "order.returned", issue, reason="四")

    pages = _walk(client, f"/issues/{issue['id']}/timeline", sign_in(platform, "community_admin"),
                  2, between=add_step)
    notes = [e["note"] for page in pages for e in page]
    assert notes[0] == "received" and len(notes) == 5 == len(set(notes))
    assert [n.split(": ")[-1].split(" ")[0] for n in notes[1:]] == ["一", "二", "三", "四"]


def test_a_district_admin_pages_the_whole_district_and_a_street_admin_their_street(platform):
    client = platform.start(IntakeService)
    in_a = {file_issue(platform, where="A", name=str(n))["id"] for n in range(3)}
    in_b = {file_issue(platform, where="B", name=str(n))["id"] for n in range(2)}
    district = _walk(client, "/issues", sign_in(platform, "district_admin"), 2)
    assert {i["id"] for page in district for i in page} == in_a | in_b
    street = _walk(client, "/issues", sign_in(platform, "street_admin", "B"), 1)
    assert [i["id"] for page in street for i in page] and \
        {i["id"] for page in street for i in page} == in_b


def test_a_state_is_a_listing_of_its_own(platform):
    client = platform.start(IntakeService)
    admin = sign_in(platform, "community_admin")
    hazard = file_issue(platform, category="fire_hazard", description="楼道堆满杂物")
    file_issue(platform)
    triaged = client.get("/issues", headers=admin, params={"state": "triaged"}).json()
    assert [i["id"] for i in triaged["items"]] == [hazard["id"]]


REFUSED = [
    ("a page above the maximum", {"limit": 101}, "limit"),
    ("a zero page", {"limit": 0}, "limit"),
    ("a malformed cursor", {"cursor": "not base64!"}, "cursor"),
    ("a filter no key serves", {"category": "street_lighting"}, "category"),
    ("a state without a community, for a district admin", {"state": "received"}, "state"),
]


@pytest.mark.parametrize(("case", "params", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_what_no_page_can_serve_is_refused_naming_the_parameter(platform, case, params, field):
    client = platform.start(IntakeService)
    role = "district_admin" if "district" in case else "community_admin"
    response = client.get("/issues", headers=sign_in(platform, role), params=params)
    assert response.status_code == 422, response.text
    assert any(field in name for name in error_of(response)["fields"]), error_of(response)


def test_a_cursor_of_another_list_is_refused(platform):
    client = platform.start(IntakeService)
    admin = sign_in(platform, "community_admin")
    issue = file_issue(platform)
    file_issue(platform, name="2")
    cursor = client.get("/issues", headers=admin, params={"limit": 1}).json()["next_cursor"]
    assert cursor
    response = client.get(f"/issues/{issue['id']}/timeline", headers=admin,
                          params={"cursor": cursor})
    assert response.status_code == 422 and "cursor" in error_of(response)["fields"]
