"""Filing issues through the gateway: every channel, the catalogue, bad input, idempotency."""

from __future__ import annotations

import pytest

from services.common.contracts.intake import MAX_DESCRIPTION
from services.intake.service import IntakeService
from tests.intake.helpers import HERE, issue_body, publish_grids, sign_in, user_id
from tests.platform import error_of

CHANNELS = [
    # channel, the role that files through it, extra fields, who follows it
    ("app", "resident", {}, "self"),
    ("online_hall", "resident", {"anonymous": True}, "self"),
    ("hotline", "community_admin", {"contact": {"name": "刘女士", "phone": "13900001111"}}, None),
    ("grid_patrol", "grid_worker", {}, "self"),
    ("visit", "community_admin", {}, None),
    ("door_knocking", "volunteer", {}, None),
]


@pytest.mark.parametrize(("channel", "role", "extra", "reporter"), CHANNELS)
def test_an_issue_is_filed_through_each_channel(platform, channel, role, extra, reporter):
    client = platform.start(IntakeService)
    publish_grids(platform)
    body = issue_body(platform, channel=channel, category="lift_fault",
                      attributes={"building": "3 号楼", "trapped": "no"}, **extra)
    response = client.post("/issues", headers=sign_in(platform, role), json=body)
    assert response.status_code == 201, response.text
    issue = response.json()
    assert (issue["state"], issue["channel"], issue["category"]) == ("received", channel,
                                                                     "lift_fault")
    assert issue["grid_id"] == f"grid-{platform.community_id('A')}-1"  # from dispatch's grids
    assert issue["reporter_id"] == (user_id(role) if reporter else None)
    assert issue["triage"] == {"route": "community", "issue_class": "public",
                               "urgency": "high", "source": "category", "reason": None}
    # the submitter and the community's staff read it back
    for who in (role, "community_admin"):
        got = client.get(f"/issues/{issue['id']}", headers=sign_in(platform, who))
        assert got.status_code == 200
    staff_view = client.get(f"/issues/{issue['id']}",
                            headers=sign_in(platform, "community_admin")).json()
    assert staff_view["contact"] == extra.get("contact")
    if extra.get("anonymous"):  # staff follow it without knowing who filed it
        assert staff_view["reporter_id"] is None
    timeline = client.get(f"/issues/{issue['id']}/timeline", headers=sign_in(platform, role))
    assert [e["state"] for e in timeline.json()["items"]] == ["received"]


def test_a_channel_refuses_the_wrong_role_and_hotline_needs_a_contact(platform):
    client = platform.start(IntakeService)
    patrol = client.post("/issues", headers=sign_in(platform, "resident"),
                         json=issue_body(platform, channel="grid_patrol"))
    assert patrol.status_code == 403 and "channel" in error_of(patrol)["fields"]
    hotline = client.post("/issues", headers=sign_in(platform, "community_admin"),
                          json=issue_body(platform, channel="hotline"))
    assert hotline.status_code == 422 and "contact" in error_of(hotline)["fields"]
    for role in ("merchant", "department"):  # no channel is theirs
        refused = client.post("/issues", headers=sign_in(platform, role),
                              json=issue_body(platform, channel="app"))
        assert refused.status_code == 403 and "channel" in error_of(refused)["fields"], role
    stored = client.get("/issues", headers=sign_in(platform, "community_admin"))
    assert stored.json()["items"] == []


def test_an_urgent_hazard_is_triaged_at_once_by_its_category(platform):
    client = platform.start(IntakeService)
    response = client.post("/issues", headers=sign_in(platform, "resident"), json=issue_body(
        platform, category="gas_leak", attributes={"building": "5 号楼"},
        description="5 号楼二单元楼道有很重的煤气味"))
    assert response.status_code == 201
    assert response.json()["state"] == "triaged"
    assert response.json()["triage"]["urgency"] == "urgent"
    timeline = client.get(f"/issues/{response.json()['id']}/timeline",
                          headers=sign_in(platform, "resident"))
    assert [e["state"] for e in timeline.json()["items"]] == ["received", "triaged"]
    assert response.json()["updated_at"].endswith(("Z", "+00:00"))


BAD = [
    ("unknown category", {"category": "ufo_sighting"}, "category", 422),
    ("missing required attribute", {"category": "lift_fault",
                                    "attributes": {"building": "3 号楼"}},
     "attributes.trapped", 422),
    ("location outside the community", {"location": {"lat": 46.0, "lng": 116.4}},
     "location", 422),
    ("oversized description", {"description": "修" * (MAX_DESCRIPTION + 1)}, "description", 422),
    ("latitude out of range", {"location": {"lat": 123.4, "lng": 116.4}}, "location.lat", 422),
    ("latitude not a number", {"location": {"lat": "north", "lng": 116.4}}, "location.lat", 422),
    ("lat without lng", {"location": {"lat": 39.9}}, "location", 422),
    ("no location at all", {"location": {}}, "location", 422),
    ("another community", {"community_id": "B"}, "community_id", 404),
]


@pytest.mark.parametrize(("case", "change", "field", "status"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(platform, case, change,
                                                                     field, status):
    client = platform.start(IntakeService)
    publish_grids(platform)
    if change.get("community_id") == "B":
        change = {"community_id": platform.community_id("B")}
    response = client.post("/issues", headers=sign_in(platform, "resident"),
                           json=issue_body(platform, **change))
    assert response.status_code == status, response.text
    assert field in error_of(response)["fields"], error_of(response)
    for where in ("A", "B"):
        stored = client.get("/issues", headers=sign_in(platform, "community_admin", where),
                            params={"community_id": platform.community_id(where)})
        assert stored.status_code == 200 and stored.json()["items"] == []


def test_the_same_request_twice_with_one_idempotency_key_stores_one_issue(platform):
    client = platform.start(IntakeService)
    headers = sign_in(platform, "resident") | {"Idempotency-Key": "report-light-1"}
    first = client.post("/issues", headers=headers, json=issue_body(platform))
    second = client.post("/issues", headers=headers, json=issue_body(platform))
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    stored = client.get("/issues", headers=sign_in(platform, "community_admin"),
                        params={"community_id": platform.community_id("A")})
    assert [i["id"] for i in stored.json()["items"]] == [first.json()["id"]]


def test_the_service_dedupes_the_key_even_without_the_gateways_record(platform):
    """A gateway crash between the service's write and its own record must not double-file."""
    platform.start(IntakeService)
    caller = {"user_id": "u-resident-A-1", "role": "resident",
              "district_id": platform.tenancy().district["id"],
              "street_id": platform.tenancy().streets["A"]["id"],
              "community_id": platform.community_id("A"), "idempotency_key": "k-1"}
    with platform.rpc() as rpc:
        first = rpc.intake.submit_issue(caller, issue_body(platform))
        second = rpc.intake.submit_issue(caller, issue_body(platform))
    assert first["id"] == second["id"]
    stored = platform.client.get("/issues", headers=sign_in(platform, "community_admin"))
    assert [i["id"] for i in stored.json()["items"]] == [first["id"]]


def test_each_community_gets_a_catalogue_of_open311_style_definitions(platform):
    client = platform.start(IntakeService)
    headers = sign_in(platform, "resident")
    listed = client.get(f"/communities/{platform.community_id('A')}/categories",
                        headers=headers)
    assert listed.status_code == 200
    codes = {c["code"] for c in listed.json()}
    assert len(codes) >= 20
    assert {"illegal_parking", "lift_fault", "street_lighting", "garbage_collection",
            "neighbour_dispute", "elderly_care", "property_service", "fire_hazard",
            "water_pipe", "noise"} <= codes
    lift = client.get(f"/communities/{platform.community_id('A')}/categories/lift_fault",
                      headers=headers).json()
    assert lift["name"] == "电梯故障" and lift["response_hours"] == 1
    assert {a["code"]: a["required"] for a in lift["attributes"]} == {"building": True,
                                                                      "trapped": True}
    unknown = client.get(f"/communities/{platform.community_id('A')}/categories/ufo",
                         headers=headers)
    assert unknown.status_code == 404 and "code" in error_of(unknown)["fields"]


def test_a_community_admin_adds_a_category_and_residents_file_under_it(platform):
    client = platform.start(IntakeService)
    cid = platform.community_id("A")
    definition = {"code": "square_dance_noise", "name": "广场舞噪音", "name_en": "Square dance",
                  "group": "矛盾调解", "keywords": ["广场舞"],
                  "attributes": [{"code": "hour", "name": "时段", "name_en": "Hour",
                                  "datatype": "number", "required": True}],
                  "triage": {"route": "residents", "issue_class": "public"}}
    refused = client.put(f"/communities/{cid}/categories/square_dance_noise",
                         headers=sign_in(platform, "resident"), json=definition)
    assert refused.status_code == 403
    saved = client.put(f"/communities/{cid}/categories/square_dance_noise",
                       headers=sign_in(platform, "community_admin"), json=definition)
    assert saved.status_code == 200
    filed = client.post("/issues", headers=sign_in(platform, "resident"), json=issue_body(
        platform, category="square_dance_noise", attributes={"hour": "21"}))
    assert filed.status_code == 201 and filed.json()["attributes"] == {"hour": 21}


def test_an_address_alone_is_a_location(platform):
    client = platform.start(IntakeService)
    response = client.post("/issues", headers=sign_in(platform, "resident"), json=issue_body(
        platform, location={"address": HERE["address"]}))
    assert response.status_code == 201
    assert response.json()["location"] == {"lat": None, "lng": None, "address": HERE["address"]}
