"""An organisation walked through its four stages through the gateway with the running
services: members recruited by its founder, activities held through volunteers (their
check-ins counted by event), a project of the four lists started for it, the admin's
sign-offs; each completion audited, the stages and graduation published; a step out of
order or lacking what it requires refused with 409 and nothing written."""

from __future__ import annotations

from deploy.waits import wait_until
from services.incubation.process import RECRUIT_MIN
from tests.incubation.helpers import (
    events,
    hold_activity,
    recruit,
    register,
    start_project,
    tag,
    wait_org,
)
from tests.platform import error_of


def _step(client, headers, org_id: str, step: str, action: str = "complete", **body):  # noqa: ANN001, ANN202
    path = f"/incubation/organisations/{org_id}/steps/{step}/{action}"
    if action == "evidence":
        return client.put(path, headers=headers, json=body)
    return client.post(path, headers=headers, json=body if action == "sign-off" else None)


def test_an_organisation_is_walked_through_its_four_stages_to_graduation(iplatform):
    client, t = iplatform.client, tag()
    admin = iplatform.headers("community_admin")
    founder = iplatform.user("resident", "A", f"f{t}")
    fh = iplatform.headers("resident", "A", f"f{t}")
    org = register(iplatform, founder)
    oid = org["id"]
    assert (org["stage"], org["step"], org["process_version"]) == ("sprout", "initiate", 1)
    assert len(org["steps"]) == 9 and org["lacks"] == []

    def done(step: str) -> dict:
        answered = _step(client, admin, oid, step)
        assert answered.status_code == 200, answered.text
        return answered.json()

    done("initiate")
    assert recruit(iplatform, fh, oid, RECRUIT_MIN - 1)["members"] == RECRUIT_MIN
    assert done("recruit")["stage"] == "nurture"
    assert _step(client, fh, oid, "training", "evidence",
                 text="消防安全培训，2 小时，12 人").status_code == 200
    assert done("training")["lacks"] == ["activities: 0 of 2"]
    for n in range(2):
        hold_activity(iplatform, oid, f"p{n}{t}")
    wait_org(client, admin, oid, lambda o: o["activities_held"] == 2)
    assert done("trial")["stage"] == "growth"
    assert _step(client, fh, oid, "charter", "evidence",
                 text="第一条 本队以邻里互助为宗旨").status_code == 200
    done("charter")
    assert _step(client, admin, oid, "registration", "sign-off",
                 note="街道已备案").status_code == 200
    assert done("registration")["stage"] == "autonomy"
    added = client.post(f"/incubation/organisations/{oid}/resources", headers=fh, json={
        "kind": "space", "title": "社区活动室", "detail": "每周三下午", "state": "assigned"})
    assert added.status_code == 200, added.text
    project = start_project(iplatform, oid)  # owned by the organisation: linked by its event
    wait_org(client, admin, oid, lambda o: project in o["project_ids"])
    done("operate")
    for step in ("evaluation", "graduation"):
        assert _step(client, admin, oid, step, "sign-off").status_code == 200
        last = done(step)
    assert (last["stage"], last["step"], last["lacks"]) == ("graduated", None, [])
    assert all(s["done_ts"] for s in last["steps"])

    assert wait_until(lambda: len(events("organisation.graduated", organisation_id=oid)) == 1,
                      timeout=10, every=0.1)
    reached = [e["stage"] for e in events("organisation.stage_reached", organisation_id=oid)]
    assert reached == ["nurture", "growth", "autonomy"]
    assert wait_until(lambda: len([e for e in events("audit.recorded", record_id=oid)
                                   if e["action"] == "organisation.complete_step"]) == 9,
                      timeout=10, every=0.1)
    logged: list[dict] = []

    def in_the_log() -> bool:  # the audit service stored each completion (its own source)
        got = client.get("/audit/entries?record_type=organisation&action="
                         "organisation.complete_step&limit=100", headers=admin)
        logged[:] = [e for e in got.json()["items"] if e["record_id"] == oid]
        return len(logged) == 9

    assert wait_until(in_the_log, timeout=10, every=0.2), logged
    assert logged[0]["after"]["stage"] == "graduated"
    figures = client.get("/incubation/figures", headers=admin)
    assert figures.status_code == 200 and figures.json()["graduated"] >= 1


def test_a_step_out_of_order_is_refused_and_nothing_is_written(iplatform):
    client, admin = iplatform.client, iplatform.headers("community_admin")
    org = register(iplatform, iplatform.user("resident", "A", f"f{tag()}"))
    refused = _step(client, admin, org["id"], "charter")
    assert refused.status_code == 409, refused.text
    fields = error_of(refused)["fields"]
    assert fields["step"] == "charter" and "initiate" in fields["missing"]
    after = client.get(f"/incubation/organisations/{org['id']}", headers=admin).json()
    assert after["version"] == org["version"] and after["step"] == "initiate"
    assert wait_until(lambda: events("organisation.registered", organisation_id=org["id"]),
                      timeout=10, every=0.1)  # its outbox has been published: no step in it
    assert events("organisation.step_completed", organisation_id=org["id"]) == []


def test_a_step_lacking_its_requirement_is_refused_naming_what_is_missing(iplatform):
    client, admin = iplatform.client, iplatform.headers("community_admin")
    org = register(iplatform, iplatform.user("resident", "A", f"f{tag()}"))
    assert _step(client, admin, org["id"], "initiate").status_code == 200
    refused = _step(client, admin, org["id"], "recruit")
    assert refused.status_code == 409, refused.text
    assert error_of(refused)["fields"] == {"step": "recruit",
                                           "missing": f"members: 1 of {RECRUIT_MIN}"}
    listed = client.get("/incubation/organisations?limit=100", headers=admin).json()["items"]
    mine = next(o for o in listed if o["id"] == org["id"])
    assert (mine["stage"], mine["step"], mine["lacks"]) == (
        "sprout", "recruit", [f"members: 1 of {RECRUIT_MIN}"])


def test_a_step_completed_twice_at_once_applies_once(iplatform):
    import eventlet

    client, admin = iplatform.client, iplatform.headers("community_admin")
    org = register(iplatform, iplatform.user("resident", "A", f"f{tag()}"))
    pool = eventlet.GreenPool(4)
    answers = list(pool.imap(lambda _: _step(client, admin, org["id"], "initiate"), range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    after = client.get(f"/incubation/organisations/{org['id']}", headers=admin).json()
    assert [s["key"] for s in after["steps"] if s["done_ts"]] == ["initiate"]
    assert after["version"] == org["version"] + 1
    assert wait_until(lambda: events("organisation.step_completed", organisation_id=org["id"]),
                      timeout=10, every=0.1)
    assert len(events("organisation.step_completed", organisation_id=org["id"])) == 1
