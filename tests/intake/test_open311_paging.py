"""Open311 GET requests, 公示 and the catalogue are keyset pages: never more than the page
size, and a cursor neither skips nor repeats a request while new ones are filed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from services.intake.service import IntakeService
from tests.intake.helpers import HERE, sign_in
from tests.intake.test_open311 import _api_key, _client, _triaged


def test_requests_pages_are_bounded_and_cover_every_request_once_while_requests_arrive(
        platform):
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))

    def filed(n: int, publish: bool = True) -> str:
        made = client.post("street_lighting", HERE["lat"] + n * 0.01, HERE["lng"],
                           f"路灯 {n}", {}).json()[0]["service_request_id"]
        if publish:
            _triaged(platform, made)
        return made

    # Unpublished (untriaged) requests between the published ones: the filters leave
    # pages short, the cursor still walks on.
    first = [filed(n, publish=n % 3 != 1) for n in range(8)]
    published = [r for n, r in enumerate(first) if n % 3 != 1]
    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        params = {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("requests.json", **params)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body) <= 2
        seen += [r["service_request_id"] for r in body]
        cursor = page.headers.get("X-Next-Cursor")
        pages += 1
        filed(100 + pages)  # newer than every cursor handed out: shows on a new first page
        if cursor is None:
            assert "Link" not in page.headers
            break
        link = page.headers["Link"]
        assert link.endswith('rel="next"')
        assert parse_qs(urlsplit(link[1:link.index(">")]).query)["cursor"] == [cursor]
        assert pages < 20
    assert seen == list(reversed(published))
    assert len(client.get("requests.json", page_size=100).json()) == len(published) + pages
    assert client.get("requests.json", page_size=101).status_code == 400


def test_the_public_list_pages_the_same_way(platform):
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))
    made = []
    for n in range(3):
        made.append(client.post("street_lighting", HERE["lat"], HERE["lng"] + n * 0.01,
                                f"路灯 {n}", {}).json()[0]["service_request_id"])
        _triaged(platform, made[-1])
    path = f"/public/communities/{platform.community_id('A')}/issues"
    one = platform.client.get(path, params={"limit": 2})
    assert [i["id"] for i in one.json()] == made[:0:-1]
    two = platform.client.get(path, params={"limit": 2,
                                            "cursor": one.headers["X-Next-Cursor"]})
    assert [i["id"] for i in two.json()] == made[:1] and "X-Next-Cursor" not in two.headers
    feed = platform.client.get(f"{path}.geojson", params={"limit": 2}).json()
    assert len(feed["features"]) == 2 and feed["next_cursor"]


def test_the_catalogue_pages_by_group_and_code_and_open311_lists_it_whole(platform):
    platform.start(IntakeService)
    community = platform.community_id("A")
    path = f"/communities/{community}/categories"
    headers = sign_in(platform, "resident")
    whole = platform.client.get(path, headers=headers)
    assert whole.status_code == 200 and "Link" not in whole.headers  # one page of 100
    codes = [c["code"] for c in whole.json()]
    seen, cursor = [], None
    for _ in range(len(codes)):
        page = platform.client.get(path, headers=headers,
                                   params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200 and len(page.json()) <= 3
        seen += [c["code"] for c in page.json()]
        cursor = page.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert seen == codes and len(set(codes)) == len(codes) > 3
    listed = _client(platform).get("services.json").json()
    assert [s["service_code"] for s in listed] == codes
    assert platform.client.get(path, headers=headers, params={"limit": 101}).status_code == 422
