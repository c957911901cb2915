"""An anonymous reporter's identity is visible to no staff role: not in the issue view,
the list, the timeline, duplicates, Open311 or 公示; only the reporter, and the district
through an audited reveal (#9: staff saw `submitted_by` and the timeline's actor)."""

from __future__ import annotations

import pytest

from services.common.errors import Forbidden
from services.intake.audit import RevealAudit
from services.intake.service import IntakeService
from tests.intake.helpers import file_issue, sign_in, user_id

STAFF = ("grid_worker", "community_admin", "street_admin", "district_admin")
REPORTER = user_id("resident", "A", "anon")


def _caller(platform, role: str, where: str = "A") -> dict:
    tenancy = platform.tenancy()
    who = {"user_id": user_id(role, where), "role": role,
           "district_id": tenancy.district["id"]}
    if role == "street_admin":
        who["street_id"] = tenancy.streets[where]["id"]
    elif role != "district_admin":
        community = tenancy.communities[where]
        who |= {"street_id": community["street_id"], "community_id": community["id"]}
    return who


@pytest.fixture
def filed(platform):
    client = platform.start(IntakeService)
    anonymous = file_issue(platform, name="anon", anonymous=True,
                           description="楼道里有人长期堆放杂物")
    assert anonymous["reporter_id"] == anonymous["submitted_by"] == REPORTER  # to themselves
    seconded = file_issue(platform, name="2", description="楼道堆放杂物，堵住消防通道")
    admin = sign_in(platform, "community_admin")
    assert client.post(f"/issues/{anonymous['id']}/triage", headers=admin,
                       json={}).status_code == 200
    return client, anonymous, seconded


def test_no_staff_role_sees_who_filed_anonymously(platform, filed):
    client, anonymous, seconded = filed
    path = f"/issues/{anonymous['id']}"
    community_id = platform.community_id("A")
    for role in STAFF:
        headers = sign_in(platform, role)
        view = client.get(path, headers=headers)
        assert view.status_code == 200, role
        assert (view.json()["reporter_id"], view.json()["submitted_by"]) == (None, None), role
        listed = client.get("/issues", headers=headers, params={"community_id": community_id})
        assert anonymous["id"] in listed.text, role
        timeline = client.get(f"{path}/timeline", headers=headers)
        assert [e["actor_id"] for e in timeline.json()["items"]] == [
            None, user_id("community_admin")]
        for response in (view, listed, timeline):
            assert REPORTER not in response.text, (role, response.request.url)
        assert user_id("resident", "A", "2") in listed.text  # a named reporter stays named
    admin = sign_in(platform, "community_admin")
    for response in (
            client.get(f"/issues/{seconded['id']}/duplicates", headers=admin),
            client.get(f"/public/communities/{community_id}/issues"),
            client.get(f"/public/communities/{community_id}/issues.geojson"),
            client.get("/open311/v2/requests.json", params={"jurisdiction_id": community_id}),
            client.get(f"/open311/v2/requests/{anonymous['id']}.xml",
                       params={"jurisdiction_id": community_id})):
        assert response.status_code == 200, (response.request.url, response.text)
        assert REPORTER not in response.text, response.request.url
    assert anonymous["id"] in client.get(f"/public/communities/{community_id}/issues").text


def test_the_reporter_still_sees_their_own_anonymous_issue(platform, filed):
    client, anonymous, _ = filed
    mine = sign_in(platform, "resident", "A", "anon")
    view = client.get(f"/issues/{anonymous['id']}", headers=mine).json()
    assert (view["reporter_id"], view["submitted_by"]) == (REPORTER, REPORTER)
    timeline = client.get(f"/issues/{anonymous['id']}/timeline", headers=mine).json()["items"]
    assert timeline[0]["actor_id"] == REPORTER


def test_the_district_reveals_the_reporter_with_an_audit_record(platform, filed):
    client, anonymous, _ = filed
    path = f"/issues/{anonymous['id']}/reveal-reporter"
    body = {"reason": "恶意重复举报，需核实"}
    for role in ("grid_worker", "community_admin", "street_admin"):
        assert client.post(path, headers=sign_in(platform, role), json=body).status_code == 403
    assert RevealAudit.objects(issue_id=anonymous["id"]).count() == 0
    revealed = client.post(path, headers=sign_in(platform, "district_admin"), json=body)
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["reporter_id"] == REPORTER
    audit = RevealAudit.objects(id=revealed.json()["audit_id"]).get()
    assert (audit.issue_id, audit.actor_id, audit.reason) == (
        anonymous["id"], user_id("district_admin"), body["reason"])
    assert client.post(path, headers=sign_in(platform, "district_admin"),
                       json={"reason": ""}).status_code == 422


def test_the_service_hides_the_reporter_from_staff_callers_too(platform, filed):
    _, anonymous, _ = filed
    with platform.rpc() as rpc:
        for role in STAFF:
            view = rpc.intake.get_issue(_caller(platform, role), anonymous["id"])
            assert REPORTER not in str(view), role
            assert REPORTER not in str(rpc.intake.get_timeline(_caller(platform, role),
                                                               anonymous["id"])), role
        for role in ("community_admin", "street_admin"):  # the gateway is not the only gate
            with pytest.raises(Forbidden):
                rpc.intake.reveal_reporter(_caller(platform, role), anonymous["id"],
                                           {"reason": "看看是谁"})
        assert RevealAudit.objects(issue_id=anonymous["id"]).count() == 0
