"""Activities through the gateway: capacity 2, three sign-ups, the waitlist promoted on a
cancellation; a door code used twice counts once; hours logged once."""

from __future__ import annotations

import time
import uuid

from tests.dispatch.helpers import token_headers
from tests.platform import error_of
from tests.volunteers.helpers import events, wait_events


def _activity(client, organiser: dict, capacity: int = 2) -> dict:  # noqa: ANN001
    now = time.time()
    made = client.post("/activities", headers=organiser, json={
        "kind": "workshop", "title": "义修小屋", "detail": "修小家电", "workshop": "义修小屋",
        "skill": "appliances", "capacity": capacity, "starts_ts": now + 3600,
        "ends_ts": now + 3 * 3600})
    assert made.status_code == 201, made.text
    return made.json()


def test_capacity_two_three_sign_ups_one_waits_and_is_promoted_when_one_cancels(vplatform):
    client = vplatform.client
    organiser = token_headers(vplatform, "operator", f"u-op-{uuid.uuid4().hex[:6]}")
    act = _activity(client, organiser)
    people = [token_headers(vplatform, "resident", f"u-p{i}-{uuid.uuid4().hex[:6]}")
              for i in range(3)]
    answers = [client.post(f"/activities/{act['id']}/sign-up", headers=h).json()
               for h in people]
    assert [a["my_status"] for a in answers] == ["participant", "participant", "waitlisted"]
    assert answers[2]["my_code"] is None and answers[0]["my_code"]
    roster = client.get(f"/activities/{act['id']}/roster", headers=organiser).json()
    assert [r["status"] for r in roster["items"]] == ["participant", "participant",
                                                      "waitlisted"]
    left = client.post(f"/activities/{act['id']}/cancel", headers=people[1])
    assert left.status_code == 200 and left.json()["my_status"] == "none"
    promoted = client.get(f"/activities/{act['id']}", headers=people[2]).json()
    assert promoted["my_status"] == "participant" and promoted["my_code"]
    assert (promoted["participants"], promoted["waitlisted"]) == (2, 0)
    qr = client.get(f"/activities/{act['id']}/qr", headers=people[2])
    assert qr.status_code == 200 and qr.json().startswith("data:image/svg+xml;base64,")
    assert client.get(f"/activities/{act['id']}/roster", headers=people[0]).status_code == 403
    other = token_headers(vplatform, "operator", f"u-op-{uuid.uuid4().hex[:6]}")
    assert client.get(f"/activities/{act['id']}/roster", headers=other).status_code == 404


def test_a_check_in_code_used_twice_counts_once_and_hours_are_logged_once(vplatform):
    client = vplatform.client
    organiser = token_headers(vplatform, "operator", f"u-op-{uuid.uuid4().hex[:6]}")
    act = _activity(client, organiser)
    person = token_headers(vplatform, "volunteer", f"u-v-{uuid.uuid4().hex[:6]}")
    code = client.post(f"/activities/{act['id']}/sign-up", headers=person).json()["my_code"]
    door = f"/activities/{act['id']}"
    first = client.post(f"{door}/check-in", headers=organiser, json={"code": code})
    second = client.post(f"{door}/check-in", headers=organiser, json={"code": code})
    assert [first.json()["action"], second.json()["action"]] == ["checked_in",
                                                                 "already_checked_in"]
    assert client.get(door, headers=organiser).json()["checked_in"] == 1
    outs = [client.post(f"{door}/check-out", headers=organiser, json={"code": code}).json()
            for _ in range(2)]
    assert [o["action"] for o in outs] == ["checked_out", "already_checked_out"]
    assert outs[0]["hours"] == 2.0
    wait_events("volunteer.hours_logged", source_id=act["id"])
    wait_events("activity.checked_in", activity_id=act["id"])
    time.sleep(0.5)  # a second event, had there been one, is relayed by now
    assert len(events("activity.checked_in", activity_id=act["id"])) == 1
    assert len(events("volunteer.hours_logged", source_id=act["id"])) == 1
    unknown = client.post(f"{door}/check-in", headers=organiser, json={"code": "nope-nope-1"})
    assert unknown.status_code == 404 and error_of(unknown)["fields"] == {"code": "unknown"}
    stranger = token_headers(vplatform, "operator", f"u-op2-{uuid.uuid4().hex[:6]}")
    assert client.post(f"{door}/check-in", headers=stranger,
                       json={"code": code}).status_code == 404


def test_activity_input_is_checked_field_by_field(vplatform):
    client = vplatform.client
    organiser = token_headers(vplatform, "operator", f"u-op-{uuid.uuid4().hex[:6]}")
    bad = client.post("/activities", headers=organiser, json={
        "title": "x", "detail": "y", "capacity": 0, "starts_ts": 10.0, "ends_ts": 5.0})
    assert bad.status_code == 422 and "capacity" in error_of(bad)["fields"]
    resident = token_headers(vplatform, "resident", f"u-r-{uuid.uuid4().hex[:6]}")
    assert client.post("/activities", headers=resident, json={}).status_code in (403, 422)


def test_attending_counts_in_the_talent_archive(vplatform):
    client = vplatform.client
    organiser = token_headers(vplatform, "operator", f"u-op-{uuid.uuid4().hex[:6]}")
    act = _activity(client, organiser)
    account = f"u-talent-{uuid.uuid4().hex[:6]}"
    person = token_headers(vplatform, "volunteer", account)
    client.put("/volunteers/profile", headers=person, json={
        "display_name": "达人", "kinds": ["volunteer"], "skills": ["appliances"],
        "consent": True})
    code = client.post(f"/activities/{act['id']}/sign-up", headers=person).json()["my_code"]
    for step in ("check-in", "check-out"):
        client.post(f"/activities/{act['id']}/{step}", headers=organiser, json={"code": code})
    admin = vplatform.headers("community_admin")
    profile = client.get(f"/volunteers/{account}", headers=admin).json()
    # one activity of 2 hours: participation 10 + 10, cooperation 15
    assert profile["looks"] == {"participation": 20.0, "cooperation": 15.0, "execution": 0.0,
                                "recognition": 0.0}
    archive = client.get("/volunteers/talents?limit=100", headers=admin).json()["items"]
    scores = [p["talent_score"] for p in archive]
    assert account in [p["account_id"] for p in archive] and scores == sorted(scores,
                                                                              reverse=True)
