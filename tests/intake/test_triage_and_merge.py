"""Triage through the gateway (matrix, override, route outcomes) and merging duplicates (群体诉)."""

from __future__ import annotations

from nameko.testing.services import entrypoint_waiter

from services.intake.service import IntakeService
from tests.intake.helpers import (
    Flow,
    IntakeListener,
    file_issue,
    near,
    publish_order,
    sign_in,
    user_id,
)
from tests.intake.unit.test_triage import MATRIX
from tests.platform import error_of

ATTRIBUTES = {"lift_fault": {"building": "1", "trapped": "no"}, "gas_leak": {"building": "1"},
              "stairwell_lighting": {"building": "2"},
              "elderly_care": {"age": 80}}


def test_the_triage_matrix_through_the_gateway_and_its_event(platform):
    client = platform.start(IntakeService, IntakeListener)
    listener = platform.containers["intake_listener"]
    admin = sign_in(platform, "community_admin")
    for code, route, issue_class, urgency in MATRIX:
        with entrypoint_waiter(listener, "on_triaged", timeout=10) as event:
            issue = file_issue(platform, category=code, attributes=ATTRIBUTES.get(code, {}))
            if issue["state"] == "received":
                confirmed = client.post(f"/issues/{issue['id']}/triage", headers=admin, json={})
                assert confirmed.status_code == 200, confirmed.text
        payload = event.get()["payload"]
        assert (payload["route"], payload["issue_class"], payload["urgency"]) == (
            route.value, issue_class.value, urgency.value), code
        assert payload["issue_id"] == issue["id"]
        assert payload["street_id"] == platform.tenancy().streets["A"]["id"]


def test_an_admin_overrides_the_triage_only_with_a_reason(platform):
    client = platform.start(IntakeService, IntakeListener)
    admin = sign_in(platform, "community_admin")
    issue = file_issue(platform, category="neighbour_dispute")
    no_reason = client.post(f"/issues/{issue['id']}/triage", headers=admin,
                            json={"route": "community"})
    assert no_reason.status_code == 422 and "reason" in error_of(no_reason)["fields"]
    assert client.get(f"/issues/{issue['id']}", headers=admin).json()["state"] == "received"
    with entrypoint_waiter(platform.containers["intake_listener"], "on_triaged") as event:
        done = client.post(f"/issues/{issue['id']}/triage", headers=admin, json={
            "route": "community", "urgency": "high", "reason": "涉及公共部位漏水，需社区协调"})
    assert done.status_code == 200
    assert done.json()["triage"] == {"route": "community", "issue_class": "public",
                                     "urgency": "high", "source": "admin",
                                     "reason": "涉及公共部位漏水，需社区协调"}
    assert event.get()["payload"]["route"] == "community"
    timeline = client.get(f"/issues/{issue['id']}/timeline", headers=sign_in(platform, "resident"))
    assert timeline.json()["items"][-1]["note"] == "涉及公共部位漏水，需社区协调"


def test_a_private_matter_goes_back_to_the_residents_with_guidance(platform):
    client = platform.start(IntakeService)
    admin = sign_in(platform, "community_admin")
    issue = file_issue(platform, category="property_fee")
    client.post(f"/issues/{issue['id']}/triage", headers=admin, json={})
    guided = client.post(f"/issues/{issue['id']}/resolve", headers=admin,
                         json={"note": "已告知可申请业委会调解及相关法规"})
    assert guided.status_code == 200 and guided.json()["state"] == "resolved"
    assert guided.json()["triage"]["route"] == "residents"


def test_nearby_open_issues_of_the_same_category_are_suggested_at_submission(platform):
    client = platform.start(IntakeService)
    first = file_issue(platform, name="1", location=near(0))
    close_by = file_issue(platform, name="2", location=near(60))
    assert [s["issue_id"] for s in close_by["suggested_duplicates"]] == [first["id"]]
    assert 55 < close_by["suggested_duplicates"][0]["distance_m"] < 65
    far_away = file_issue(platform, name="3", location=near(900))
    other_kind = file_issue(platform, name="4", location=near(10), category="noise",
                            attributes={"source": "business"})
    assert far_away["suggested_duplicates"] == other_kind["suggested_duplicates"] == []
    candidates = client.get(f"/issues/{close_by['id']}/duplicates",
                            headers=sign_in(platform, "community_admin"))
    assert [c["issue_id"] for c in candidates.json()["items"]] == [first["id"]]


def test_merging_grows_the_original_and_duplicates_follow_its_status(platform):
    client = platform.start(IntakeService, IntakeListener)
    listener = platform.containers["intake_listener"]
    admin = sign_in(platform, "community_admin")
    original = file_issue(platform, name="1")
    dups = [file_issue(platform, name=str(n), location=near(30 * n)) for n in (2, 3)]
    refused = client.post(f"/issues/{dups[0]['id']}/merge", headers=sign_in(platform, "resident"),
                          json={"original_id": original["id"]})
    assert refused.status_code == 403
    for dup in dups:
        with entrypoint_waiter(listener, "on_merged") as event:
            merged = client.post(f"/issues/{dup['id']}/merge", headers=admin,
                                 json={"original_id": original["id"]})
        assert merged.status_code == 200, merged.text
        assert (merged.json()["state"], merged.json()["duplicate_of"]) == ("merged",
                                                                          original["id"])
        assert event.get()["payload"]["original_id"] == original["id"]
    got = client.get(f"/issues/{original['id']}", headers=admin).json()
    assert got["supporters"] == 3 and got["group_complaint"] is True
    assert sorted(got["duplicates"]) == sorted(d["id"] for d in dups)

    # The original moves; its duplicates' reporters are told and see it.
    def originals_triage(worker_ctx, body, exc_info) -> bool:  # not a merge's late event
        return (body["payload"]["issue_id"], body["payload"]["to_state"]) == (
            original["id"], "triaged")

    with entrypoint_waiter(listener, "on_status_changed", callback=originals_triage) as event:
        triaged = client.post(f"/issues/{original['id']}/triage", headers=admin, json={})
        assert triaged.status_code == 200, triaged.text
    assert set(event.get()["payload"]["notify"]) == {user_id("resident", "A", n)
                                                     for n in ("1", "2", "3")}
    publish_order(platform, "order.created", got)
    reporter2 = sign_in(platform, "resident", "A", "2")
    mine = client.get(f"/issues/{dups[0]['id']}", headers=reporter2).json()
    assert (mine["state"], mine["original_state"]) == ("merged", "dispatched")
    steps = [e["state"] for e in client.get(f"/issues/{dups[0]['id']}/timeline",
                                            headers=reporter2).json()["items"]]
    assert steps[:2] == ["received", "merged"] and steps[-2:] == ["triaged", "dispatched"]


def test_bad_merges_are_refused(platform):
    client = platform.start(IntakeService)
    admin = sign_in(platform, "community_admin")
    flow = Flow(platform)
    issue = file_issue(platform)
    itself = client.post(f"/issues/{issue['id']}/merge", headers=admin,
                         json={"original_id": issue["id"]})
    assert itself.status_code == 422 and "original_id" in error_of(itself)["fields"]
    elsewhere = file_issue(platform, where="B")
    across = client.post(f"/issues/{issue['id']}/merge", headers=admin,
                         json={"original_id": elsewhere["id"]})
    assert across.status_code == 422 and "original_id" in error_of(across)["fields"]
    closed = flow.issue_in("closed")
    into_closed = client.post(f"/issues/{issue['id']}/merge", headers=admin,
                              json={"original_id": closed["id"]})
    assert into_closed.status_code == 409
    assert client.get(f"/issues/{issue['id']}", headers=admin).json()["state"] == "received"
