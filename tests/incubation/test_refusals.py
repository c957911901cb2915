"""What incubation refuses: another community (404, as for a missing organisation), a role
or a person who may not act (403), bad input (422 naming the field); what a resident sees
(the public list, no member's contact); an activity event redelivered counted once."""

from __future__ import annotations

import time

from nameko.standalone.events import event_dispatcher

from services.common.caller import Caller
from services.common.contracts.envelope import new_event
from services.common.contracts.volunteers import ActivityCheckedIn
from tests.incubation.helpers import register, tag, wait_org
from tests.platform import error_of


def test_another_communitys_admin_gets_404(iplatform):
    client = iplatform.client
    org = register(iplatform, iplatform.user("resident", "A", f"f{tag()}"))
    other = iplatform.headers("community_admin", "B")
    base = f"/incubation/organisations/{org['id']}"
    for method, path, body in (("GET", base, None), ("POST", f"{base}/steps/initiate/complete",
                                                     None),
                               ("POST", f"{base}/members", {"account_id": "u-x", "name": "x"}),
                               ("GET", f"{base}/members", None)):
        got = client.request(method, path, headers=other, json=body)
        assert got.status_code == 404, (path, got.text)
        assert error_of(got)["fields"] == {"organisation_id": "unknown"}
    listed = client.get(f"/incubation/organisations?community_id={iplatform.community_id('A')}",
                        headers=other)
    assert listed.status_code == 404
    mine = client.get("/incubation/organisations?limit=100", headers=other).json()["items"]
    assert org["id"] not in {o["id"] for o in mine}


def test_a_resident_sees_the_public_list_but_no_members_contacts(iplatform):
    client, t = iplatform.client, tag()
    founder = iplatform.user("resident", "A", f"f{t}")
    org = register(iplatform, founder)
    fh = iplatform.headers("resident", "A", f"f{t}")
    assert client.post(f"/incubation/organisations/{org['id']}/members", headers=fh, json={
        "account_id": f"u-n{t}", "name": "李叔", "phone": "+86 139 1234 5678"}
    ).status_code == 200
    neighbour = iplatform.headers("resident", "A", f"n{t}")
    listed = client.get("/incubation/organisations?limit=100", headers=neighbour)
    assert listed.status_code == 200
    row = next(o for o in listed.json()["items"] if o["id"] == org["id"])
    assert set(row) == {"id", "kind", "name", "purpose", "stage", "step", "lacks", "members",
                        "activities_held"}
    assert "139 1234" not in listed.text
    assert client.get(f"/incubation/organisations/{org['id']}/members",
                      headers=neighbour).status_code == 403
    assert client.post(f"/incubation/organisations/{org['id']}/steps/initiate/complete",
                       headers=fh).status_code == 403  # the founder submits, the admin completes
    members = client.get(f"/incubation/organisations/{org['id']}/members?limit=1", headers=fh)
    assert members.status_code == 200 and members.json()["next_cursor"]
    second = client.get(f"/incubation/organisations/{org['id']}/members?limit=1&cursor="
                        f"{members.json()['next_cursor']}", headers=fh).json()
    assert second["items"][0]["phone"] == "+86 139 1234 5678"


def test_bad_input_is_422_naming_the_field(iplatform):
    client, admin = iplatform.client, iplatform.headers("community_admin")
    bad = client.post("/incubation/organisations", headers=admin, json={
        "kind": "club", "name": "合唱团", "purpose": "唱歌", "founder_account_id": "u-1"})
    assert bad.status_code == 422 and "kind" in error_of(bad)["fields"]
    missing = client.post("/incubation/organisations", headers=admin, json={
        "kind": "interest", "name": "合唱团", "purpose": "唱歌"})
    assert missing.status_code == 422
    assert error_of(missing)["fields"] == {"founder_account_id": "required"}
    org = register(iplatform, iplatform.user("resident", "A", f"f{tag()}"))
    phone = client.post(f"/incubation/organisations/{org['id']}/members", headers=admin,
                        json={"account_id": "u-2", "name": "二", "phone": "call me"})
    assert phone.status_code == 422 and "phone" in error_of(phone)["fields"]
    step = client.put(f"/incubation/organisations/{org['id']}/steps/recruit/evidence",
                      headers=admin, json={"text": "名单"})
    assert step.status_code == 422 and error_of(step)["fields"] == {"step": "recruit takes none"}


def test_an_activity_event_redelivered_is_counted_once(iplatform):
    client, admin = iplatform.client, iplatform.headers("community_admin")
    org = register(iplatform, iplatform.user("resident", "A", f"f{tag()}"))
    community = iplatform.community_id("A")
    dispatch = event_dispatcher(iplatform.config)

    def checked_in(activity_id: str, account_id: str) -> dict:
        return new_event(ActivityCheckedIn(
            activity_id=activity_id, community_id=community, account_id=account_id,
            checked_in_ts=time.time(), organisation_id=org["id"]), Caller.system(),
            community).to_message()

    first = checked_in(f"act-{tag()}", "u-1")
    for body in (first, first, checked_in(first["payload"]["activity_id"], "u-2")):
        dispatch("volunteers", "activity.checked_in", body)  # redelivered; a second person
    dispatch("volunteers", "activity.checked_in", checked_in(f"act-{tag()}", "u-3"))
    wait_org(client, admin, org["id"], lambda o: o["activities_held"] == 2)
    time.sleep(0.5)  # any late copy of the first would have landed by now
    again = client.get(f"/incubation/organisations/{org['id']}", headers=admin).json()
    assert again["activities_held"] == 2
