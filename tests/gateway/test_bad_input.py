"""Hostile input through the gateway: each class of issue #9 answers its exact 4xx in the one
error shape naming the field, and a refused request stores nothing."""

from __future__ import annotations

import json

import jwt

from services.common.contracts.types import MAX_VERTICES
from services.dispatch.service import DispatchService
from services.intake.models import Issue
from services.intake.service import IntakeService
from tests.intake.helpers import issue_body, sign_in
from tests.platform import error_of

JSON = {"content-type": "application/json"}


def _refused(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["code"] == code, error
    if field is not None:
        assert field in error["fields"], error
    return error


def _stored(client, admin: dict, community_id: str) -> int:
    """How many issues the community has, read two ways that must agree: its first page
    through the gateway (the page's shape checked: counting the keys of a page, `items` and
    `next_cursor`, once read as "2 issues stored") and intake's collection itself."""
    listed = client.get(f"/issues?community_id={community_id}", headers=admin,
                        params={"limit": 100})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert set(page) == {"items", "next_cursor"} and page["next_cursor"] is None, page
    in_store = Issue.objects(community_id=community_id).only("id").limit(101)
    assert {i["id"] for i in page["items"]} == {i.id for i in in_store}
    return len(page["items"])


def test_hostile_issue_bodies_are_422_naming_the_field_and_store_nothing(platform):
    client = platform.start(IntakeService, DispatchService)
    resident, admin = sign_in(platform, "resident"), sign_in(platform, "community_admin")
    community_id = platform.community_id("A")
    base = issue_body(platform, category="neighbour_dispute")
    cases = [  # (what is sent, the field named)
        ('{"community_id":', "body"),  # malformed JSON
        ("[" * 5000 + "]" * 5000, "body"),  # deeper than the parser recurses
        (json.dumps(base | {"attributes": {"parties": 10**30}}), "attributes.parties"),
        (json.dumps(base | {"attributes": {"parties": -(2**64)}}), "attributes.parties"),
        (json.dumps(base | {"attributes": {"parties": float("nan")}}), "attributes.parties"),
        (json.dumps(base | {"attributes": {"parties": float("inf")}}), "attributes.parties"),
        (json.dumps(base | {"attributes": {"$where": "1"}}), "attributes"),
        (json.dumps(base | {"attributes": {"a.b": 1}}), "attributes"),
        (json.dumps(base | {"attributes": {"k": {"k": {"k": {"k": 1}}}}}), "attributes.k.k.k"),
        (json.dumps(base | {"attributes": {"k": list(range(500))}}), "attributes"),
        (json.dumps(base | {"location": {"lat": 0, "lng": 0}}).replace("0,", "NaN,", 1),
         "location.lat"),
        (json.dumps(base | {"description": "x\ud800y"}), "description"),
        (json.dumps(base | {"description": "abc\u202edcba"}), "description"),
        (json.dumps(base | {"description": "a\u2066b"}), "description"),
        (json.dumps(base | {"description": "nul\x00byte"}), "description"),
        (json.dumps(base | {"description": "c1\x85x"}), "description"),
        (json.dumps(base | {"description": "   \n "}), "description"),
        (json.dumps(base | {"community_id": "c\u0000"}), "community_id"),
        (json.dumps(base | {"unexpected": 1}), "unexpected"),
        (json.dumps(base | {"$set": {"state": "closed"}}), "$set"),
    ]
    for text, field in cases:
        response = client.post("/issues", headers=resident | JSON, content=text)
        _refused(response, 422, "invalid_input", field)
    assert _stored(client, admin, community_id) == 0
    # the measure sees what is stored: the same body, corrected, is one issue
    valid = base | {"attributes": {"parties": 2}}
    assert client.post("/issues", headers=resident, json=valid).status_code == 201
    assert _stored(client, admin, community_id) == 1


def test_bad_categories_orders_and_policies_are_refused(platform):
    client = platform.start(IntakeService, DispatchService)
    admin = platform.headers("community_admin")
    community_id = platform.community_id("A")
    path = f"/communities/{community_id}/categories/neighbour_dispute"
    category = client.get(path, headers=admin).json()
    for field, value in (("response_hours", 0), ("resolution_hours", -1),
                         ("duplicate_radius_m", 0), ("duplicate_window_hours", -72),
                         ("attributes", category["attributes"] * 2), ("name", " "),
                         ("keywords", ["\u202e"]), ("extra_field", 1)):
        named = "keywords.0" if field == "keywords" else field
        _refused(client.put(path, headers=admin, json=category | {field: value}), 422,
                 "invalid_input", named)
    assert client.get(path, headers=admin).json() == category
    for body, field in (({"category": "road", "summary": "x", "response_hours": 10**30},
                         "response_hours"),
                        ({"category": "road", "summary": "  "}, "summary"),
                        ({"category": "road", "summary": "x", "cooperating": ["a b"]},
                         "cooperating.0")):
        _refused(client.post("/orders", headers=admin, json=body), 422, "invalid_input", field)
    policy = client.put(f"/grids/policy?community_id={community_id}", headers=admin | JSON,
                        content='{"sla": {"normal": [NaN, 1]}}')
    _refused(policy, 422, "invalid_input", "sla.normal.0")
    assert client.get(f"/orders?community_id={community_id}", headers=admin).json()["items"] == []


def test_bad_paths_and_queries_are_422_naming_the_parameter(platform):
    client = platform.start(IntakeService, DispatchService)
    admin = platform.headers("community_admin")
    for path, field in (("/issues/%ED%A0%80", "issue_id"), ("/issues/" + "9" * 5000, "issue_id"),
                        ("/issues/a%00b", "issue_id"), ("/orders/%E2%80%AEx", "order_id"),
                        ("/orders?pool=maybe", "pool"), ("/orders?state=gone", "state"),
                        ("/issues?community_id=%24ne", "community_id"),
                        ("/users/a%20b", "user_id")):
        _refused(client.get(path, headers=admin), 422, "invalid_input", field)
    _refused(client.get("/no-such-route", headers=admin), 404, "not_found", "path")
    _refused(client.delete("/issues", headers=admin), 405, "method_not_allowed", "method")
    _refused(client.put("/responders/r-1/duty", headers=admin, json={"on_duty": True, "x": 1}),
             422, "invalid_input", "x")


def test_oversized_bodies_and_form_fields_answer_413_in_the_one_shape(platform):
    client = platform.start(IntakeService, DispatchService)
    admin = platform.headers("community_admin")
    community_id = platform.community_id("A")
    big = json.dumps({"category": "road", "summary": "x" * (2 * 1024 * 1024)})
    _refused(client.post("/orders", headers=admin | JSON, content=big), 413, "too_large", "body")
    upload = client.post(f"/grids/import?community_id={community_id}", headers=admin,
                         files={"file": ("g.csv", b"code,name,level\n", "text/csv")},
                         data={"note": "y" * (2 * 1024 * 1024)})
    _refused(upload, 413, "too_large", "form")
    open311 = client.post("/open311/v2/requests.json",
                          data={"api_key": "x", "description": "x" * (2 * 1024 * 1024)})
    assert open311.status_code == 413 and open311.json()[0]["code"] == 413


def test_grid_files_too_deep_non_finite_or_too_large_are_refused(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    community_id = platform.community_id("A")

    def feature(coordinates: str) -> bytes:
        return ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                '{"code": "g1", "name": "g", "level": "1"}, "geometry": {"type": "Polygon", '
                f'"coordinates": {coordinates}}}}}]}}').encode()

    ring = json.dumps([[116 + i * 1e-6, 39 + (i % 2) * 1e-6] for i in range(MAX_VERTICES + 1)])
    files = [("g.geojson", feature("[" * 3000 + "]" * 3000), "nested deeper"),
             ("g.geojson", feature("[[[NaN, 1], [2, 2], [3, 1]]]"), "NaN"),
             ("g.geojson", feature(f"[{ring}]"), f"at most {MAX_VERTICES} points"),
             ("g.geojson", feature('[[[1, 1], [2, 2], [3, 1]]]').replace(b'"g"', b'"\\ud800"'),
              "surrogate"),
             ("g.csv", f'code,name,level,polygon\ng1,g,1,"{"[" * 3000}{"]" * 3000}"\n'.encode(),
              "nested deeper"),
             ("g.csv", "code,name,level\ng1,g\u202e,1\n".encode(), "bidi")]
    for name, content, reason in files:
        response = client.post(f"/grids/import?community_id={community_id}&dry_run=false",
                               headers=admin, files={"file": (name, content, "text/plain")})
        assert reason in _refused(response, 422, "invalid_input", "file")["fields"]["file"]
    assert [g["code"] for g in client.get(f"/grids?community_id={community_id}",
                                          headers=admin).json()] == ["root"]


def test_tokens_with_claims_the_platform_does_not_know_are_401(platform):
    client = platform.start(IntakeService)
    community_id = platform.community_id("A")
    user = platform.user("resident")
    good = {"sub": user["id"], "role": "resident", "iat": 1_700_000_000, "exp": 4_000_000_000,
            "district_id": user["district_id"], "community_id": community_id}
    shapes = [{"role": "king"}, {"role": ["resident"]}, {"role": "system"},
              {"district_id": 5}, {"district_id": None}, {"community_id": {"$ne": ""}},
              {"sub": 12}, {"sub": "u\u202e"}, {"iat": "yesterday"}, {"scope": "all"}]
    for shape in shapes:
        token = jwt.encode(good | shape, platform.settings.jwt_secret, algorithm="HS256")
        response = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert _refused(response, 401, "unauthenticated")["fields"] == {
            "authorization": "invalid"}, shape
        posted = client.post("/open311/v2/requests.json", data={
            "api_key": token, "jurisdiction_id": community_id, "service_code": "road",
            "description": "x", "address_string": "东湖路"})
        assert posted.status_code == 400, (shape, posted.text)
        assert posted.json() == [{"code": 400, "description": "api_key: invalid",
                                  "field": "api_key"}]


def test_open311_dates_at_the_calendars_ends_are_refused(platform):
    client = platform.start(IntakeService)
    community_id = platform.community_id("A")
    for name, value in (("start_date", "0001-01-01T00:00:00+14:00"),
                        ("end_date", "9999-12-31T23:59:59-14:00"),
                        ("start_date", "1969-12-31T23:59:59Z"), ("end_date", "2200-01-01"),
                        ("start_date", "yesterday")):
        response = client.get("/open311/v2/requests.json",
                              params={"jurisdiction_id": community_id, name: value})
        assert response.status_code == 400, response.text
        assert response.json() == [{"code": 400, "description": f"{name}: invalid",
                                    "field": name}]
