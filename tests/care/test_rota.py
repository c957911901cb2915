"""独居老人: the register is private to the community admin and the assigned visitors; each
awaited visit is a durable deadline, and a missed one escalates once across two replicas."""

from __future__ import annotations

import time

import pytest

from deploy.waits import wait_until
from services.common.errors import DomainError
from tests.care.helpers import EventProbe, event_ids, events, tag
from tests.dispatch.helpers import token_headers
from tests.platform import PASSWORD, SYSTEM, error_of

SECRETS = ("陈爷爷", "7 号楼 101", "138 0013")


def _secret_free(body: object) -> bool:
    return not any(s in str(body) for s in SECRETS)


@pytest.fixture(scope="module")
def second_replica(cplatform):
    """Another CareService container on the same vhost and store: two pollers race."""
    from services.care.service import CareService

    container = cplatform.container_factory(CareService, cplatform.config)
    container.start()
    return container


def _people(platform) -> dict:
    t = tag()
    ids = {"grid_worker": f"u-gw-{t}", "volunteer": f"u-vol-{t}"}
    return {"ids": ids,
            "grid_worker": token_headers(platform, "grid_worker", ids["grid_worker"]),
            "volunteer": token_headers(platform, "volunteer", ids["volunteer"])}


def _register(platform, people: dict, **rota) -> dict:
    admin = platform.headers("community_admin")
    made = platform.client.post("/care/elders", headers=admin, json={
        "name": "陈爷爷", "age": 86, "address": "7 号楼 101", "phone": "+86 138 0013 8000",
        "emergency_contact": "女儿 陈女士", "note": "高血压，独居"})
    assert made.status_code == 201, made.text
    body = {"grid_worker_id": people["ids"]["grid_worker"],
            "volunteer_ids": [people["ids"]["volunteer"]], "every_days": 7} | rota
    assigned = platform.client.put(f"/care/elders/{made.json()['id']}/rota", headers=admin,
                                   json=body)
    assert assigned.status_code == 200, assigned.text
    return assigned.json()


def test_a_missed_visit_escalates_once_across_two_replicas(cplatform, second_replica):
    people = _people(cplatform)
    elder = _register(cplatform, people, first_due_ts=time.time() + 0.5, grace_hours=0)
    assert (elder["cycle"], elder["missed"], elder["overdue"]) == (1, 0, False)
    assert wait_until(lambda: events("care.visit_missed", elder_id=elder["id"]), timeout=10,
                      every=0.1)
    time.sleep(1.5)  # a dozen more polls of each replica
    # One event (one id), whichever replica claimed the deadline; the relays deliver it at
    # least once (two relays may both publish it: the consumers' inboxes drop the copy).
    assert len(event_ids("care.visit_missed", elder_id=elder["id"])) == 1
    missed = events("care.visit_missed", elder_id=elder["id"])[0]
    admin_id = cplatform.user("community_admin")["id"]
    assert (missed["cycle"], missed["escalated_to"]) == (1, "community")
    assert set(missed["notify"]) == {*people["ids"].values(), admin_id}
    assert _secret_free([e for e in EventProbe.seen if e["type"].startswith("care.visit")])
    admin = cplatform.headers("community_admin")
    now = cplatform.client.get(f"/care/elders/{elder['id']}", headers=admin).json()
    assert (now["missed"], now["overdue"], now["cycle"]) == (1, True, 1)
    assert now["visit_due_ts"] == pytest.approx(elder["visit_due_ts"])


    def told(headers: dict) -> list[dict]:
        got = cplatform.client.get("/me/notifications?limit=100", headers=headers).json()
        return [n for n in got["items"] if n["ref"] == f"elder:{elder['id']}"]

    for headers in (people["volunteer"], people["grid_worker"], admin):  # notify, once each
        assert wait_until(lambda h=headers: told(h), timeout=10, every=0.2)
        (notice,) = told(headers)
        assert notice["kind"] == "visit_missed" and _secret_free(notice)

    visit = cplatform.client.post(f"/care/elders/{elder['id']}/visits",
                                  headers=people["volunteer"], json={"well": True,
                                                                     "note": "血压正常"})
    assert visit.status_code == 201, visit.text
    assert (visit.json()["cycle"], visit.json()["late"]) == (1, True)
    after = cplatform.client.get(f"/care/elders/{elder['id']}", headers=admin).json()
    assert (after["overdue"], after["cycle"], after["visits"], after["missed"]) == (
        False, 2, 1, 1)
    assert after["visit_due_ts"] > time.time() + 6 * 86400
    assert len(event_ids("care.visit_missed", elder_id=elder["id"])) == 1


def test_a_visit_made_in_time_is_no_miss_and_a_double_click_is_one_visit(cplatform):
    people = _people(cplatform)
    elder = _register(cplatform, people, first_due_ts=time.time() + 1.5, grace_hours=0)
    path = f"/care/elders/{elder['id']}/visits"
    first = cplatform.client.post(path, headers=people["grid_worker"], json={})
    again = cplatform.client.post(path, headers=people["grid_worker"], json={})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"] and first.json()["late"] is False
    time.sleep(2.0)  # past the first due time: it was visited, nothing is missed
    assert events("care.visit_missed", elder_id=elder["id"]) == []
    visits = cplatform.client.get(path, headers=cplatform.headers("community_admin")).json()
    assert [v["id"] for v in visits["items"]] == [first.json()["id"]]
    assert wait_until(lambda: events("care.visited", elder_id=elder["id"]), timeout=10)
    assert len(event_ids("care.visited", elder_id=elder["id"])) == 1


def test_the_admin_and_the_visitors_see_the_elder_and_list_them(cplatform):
    people = _people(cplatform)
    elder = _register(cplatform, people)
    admin = cplatform.headers("community_admin")
    for headers in (admin, people["grid_worker"], people["volunteer"]):
        got = cplatform.client.get(f"/care/elders/{elder['id']}", headers=headers)
        assert got.status_code == 200, got.text
        assert (got.json()["name"], got.json()["address"]) == ("陈爷爷", "7 号楼 101")
    listed = cplatform.client.get("/care/elders?limit=100", headers=admin).json()["items"]
    assert elder["id"] in [e["id"] for e in listed]
    mine = cplatform.client.get("/care/elders?mine=true",
                                headers=people["volunteer"]).json()["items"]
    assert [e["id"] for e in mine] == [elder["id"]]


@pytest.fixture(scope="module")
def registered(cplatform) -> dict:
    return _register(cplatform, _people(cplatform))


@pytest.mark.parametrize("who", ["resident_a", "other_volunteer", "admin_b", "street_admin",
                                 "resident_b"])
def test_outsiders_get_nothing_of_the_elder(cplatform, registered, who):
    elder = registered
    headers = {"resident_a": lambda: token_headers(cplatform, "resident", f"u-r-{tag()}"),
               "other_volunteer": lambda: token_headers(cplatform, "volunteer", f"u-v-{tag()}"),
               "admin_b": lambda: cplatform.headers("community_admin", "B"),
               "street_admin": lambda: cplatform.headers("street_admin", "A"),
               "resident_b": lambda: token_headers(cplatform, "resident", f"u-r-{tag()}",
                                                   "B")}[who]()
    client = cplatform.client
    got = client.get(f"/care/elders/{elder['id']}", headers=headers)
    assert got.status_code in (403, 404) and _secret_free(got.text)
    assert error_of(got)["code"] in ("forbidden", "not_found")
    for path in (f"/care/elders/{elder['id']}/visits",):
        wrote = client.post(path, headers=headers, json={})
        assert wrote.status_code in (403, 404) and _secret_free(wrote.text)
        read = client.get(path, headers=headers)
        assert read.status_code in (403, 404)
    for listing in ("/care/elders?mine=true", "/care/elders?limit=100"):
        listed = client.get(listing, headers=headers)  # B's admin lists B's own: 200
        assert listed.status_code in (200, 403, 404), listed.text
        assert elder["id"] not in listed.text and _secret_free(listed.text)


def test_a_visitor_assigns_no_rota_and_the_service_refuses_it_too(cplatform):
    people = _people(cplatform)
    elder = _register(cplatform, people)
    got = cplatform.client.put(f"/care/elders/{elder['id']}/rota", headers=people["volunteer"],
                               json={"grid_worker_id": "u-x", "every_days": 3})
    assert got.status_code == 403 and error_of(got)["fields"]["role"].startswith("needs")
    tenancy = cplatform.tenancy()
    visitor = {"user_id": people["ids"]["volunteer"], "role": "volunteer",
               "district_id": tenancy.district["id"],
               "community_id": cplatform.community_id("A")}
    with cplatform.rpc() as rpc:
        with pytest.raises(DomainError) as refused:
            rpc.care.assign_rota(visitor, elder["id"], {"grid_worker_id": "u-x",
                                                         "every_days": 3})
        assert refused.value.status == 403
        admin_b = dict(visitor, user_id="u-admin-b", role="community_admin",
                       community_id=cplatform.community_id("B"))
        with pytest.raises(DomainError) as hidden:
            rpc.care.get_elder(admin_b, elder["id"])
        assert hidden.value.status == 404 and hidden.value.fields == {"elder_id": "unknown"}


@pytest.mark.parametrize(("body", "field"), [
    ({"every_days": 0}, "every_days"),
    ({"volunteer_ids": ["same", "same"]}, "volunteer_ids"),
    ({"grace_hours": 1000}, "grace_hours"),
    ({"first_due_ts": -5}, "first_due_ts"),
])
def test_a_bad_rota_is_a_422_naming_the_field(cplatform, body, field):
    people = _people(cplatform)
    elder = _register(cplatform, people)
    got = cplatform.client.put(f"/care/elders/{elder['id']}/rota",
                               headers=cplatform.headers("community_admin"),
                               json={"grid_worker_id": "u-gw", "every_days": 7} | body)
    assert got.status_code == 422, got.text
    assert field in error_of(got)["fields"], error_of(got)


def test_a_bad_elder_is_a_422_naming_the_field(cplatform):
    got = cplatform.client.post("/care/elders", headers=cplatform.headers("community_admin"),
                                json={"name": "x", "age": 20, "address": "y"})
    assert got.status_code == 422 and "age" in error_of(got)["fields"]


def test_a_missed_visit_not_made_goes_up_to_the_street_then_the_district_once_each(cplatform):
    people = _people(cplatform)
    elder = _register(cplatform, people, first_due_ts=time.time() + 0.3, grace_hours=0,
                      escalate_hours=0.0005)  # a rung every 1.8 s
    assert elder["escalate_hours"] == 0.0005

    def rungs() -> list[str]:
        return [e["escalated_to"] for e in events("care.visit_escalated", elder_id=elder["id"])]

    assert wait_until(lambda: "district" in rungs(), timeout=20, every=0.2), rungs()
    time.sleep(2.5)  # more rungs would have come by now: the district is the top
    assert sorted(set(rungs())) == ["district", "street"]
    assert len(event_ids("care.visit_escalated", elder_id=elder["id"])) == 2
    assert _secret_free(events("care.visit_escalated", elder_id=elder["id"]))
    admin = cplatform.headers("community_admin")
    now = cplatform.client.get(f"/care/elders/{elder['id']}", headers=admin).json()
    assert (now["overdue"], now["escalated_to"]) == (True, "district")

    street_a = cplatform.headers("street_admin", "A")
    listed = cplatform.client.get("/care/escalations", headers=street_a)
    assert listed.status_code == 200, listed.text
    (row,) = [r for r in listed.json()["items"] if r["elder_id"] == elder["id"]]
    assert (row["escalated_to"], row["cycle"], row["missed"]) == ("district", 1, 1)
    assert _secret_free(listed.json())
    street_b = cplatform.headers("street_admin", "B")
    other = cplatform.client.get("/care/escalations", headers=street_b).json()["items"]
    assert elder["id"] not in [r["elder_id"] for r in other]
    a_street = cplatform.tenancy().streets["A"]["id"]  # naming another: a missing street's
    assert cplatform.client.get(f"/care/escalations?street_id={a_street}",
                                headers=street_b).status_code == 404
    assert cplatform.client.get("/care/escalations", headers=admin).status_code == 403

    def told(headers: dict, kind: str) -> list[dict]:
        got = cplatform.client.get("/me/notifications?limit=100", headers=headers)
        assert got.status_code == 200, got.text
        got = got.json()
        return [n for n in got["items"]
                if n["ref"] == f"elder:{elder['id']}" and n["kind"] == kind]

    assert wait_until(lambda: told(street_a, "visit_escalated"), timeout=10, every=0.2)
    district = cplatform.headers("district_admin")
    assert wait_until(lambda: told(district, "visit_escalated"), timeout=10, every=0.2)
    assert not told(street_b, "visit_escalated")

    visit = cplatform.client.post(f"/care/elders/{elder['id']}/visits",
                                  headers=people["grid_worker"], json={"well": True})
    assert visit.status_code == 201 and visit.json()["late"] is True
    after = cplatform.client.get("/care/escalations", headers=street_a).json()["items"]
    assert elder["id"] not in [r["elder_id"] for r in after]  # visited: off the list


def test_a_rota_names_only_the_communitys_own_grid_workers_and_volunteers(cplatform):
    """Once care knows a community's accounts (identity's user.created and its backfill), a
    rota naming a grid worker or volunteer the community does not have (or another role's
    account) is a 422 naming the field that changes nothing; the real ones are taken."""
    tenancy, t = cplatform.tenancy(), tag()
    with cplatform.rpc() as rpc:  # a community of its own: its accounts prime the read model
        cid = rpc.identity.create_community(SYSTEM, {
            "street_id": tenancy.streets["A"]["id"], "name": f"护老社区 {t}"})["id"]

        def account(role: str, **extra: str) -> str:
            return rpc.identity.create_user(SYSTEM, {
                "username": f"care_{role}_{t}", "password": PASSWORD, "role": role,
                "display_name": f"{role} {t}", "district_id": tenancy.district["id"],
                "community_id": cid, **extra})["id"]

        worker, volunteer = account("grid_worker", grid_id=f"g-root-{cid}"), account("volunteer")
        resident = account("resident")
    admin = token_headers(cplatform, "community_admin", f"u-admin-{t}", community_id=cid)

    def elder() -> str:
        made = cplatform.client.post("/care/elders", headers=admin, json={
            "name": "陈爷爷", "age": 86, "address": "7 号楼 101"})
        assert made.status_code == 201, made.text
        return f"/care/elders/{made.json()['id']}/rota"

    probe, path = elder(), elder()

    def assign(grid_worker_id: str, volunteer_ids: list[str], to: str = path):  # noqa: ANN202
        return cplatform.client.put(to, headers=admin, json={
            "grid_worker_id": grid_worker_id, "volunteer_ids": volunteer_ids, "every_days": 7})

    # care hears of the accounts by their events: until then a name is taken as given (so
    # the wait probes another elder, whose rota such a name may set)
    assert wait_until(lambda: assign("u-nobody", [], probe).status_code == 422, timeout=15,
                      every=0.2)
    for grid_worker_id, volunteer_ids, field in (
            ("u-nobody", [], "grid_worker_id"), (resident, [], "grid_worker_id"),
            (volunteer, [], "grid_worker_id"), (worker, ["u-nobody"], "volunteer_ids"),
            (worker, [resident], "volunteer_ids")):
        refused = assign(grid_worker_id, volunteer_ids)
        assert refused.status_code == 422, refused.text
        assert list(error_of(refused)["fields"]) == [field]
    assert cplatform.client.get(path.removesuffix("/rota"), headers=admin).json()[
        "grid_worker_id"] is None
    assert wait_until(lambda: assign(worker, [volunteer]).status_code == 200, timeout=15,
                      every=0.2)
    got = cplatform.client.get(path.removesuffix("/rota"), headers=admin).json()
    assert (got["grid_worker_id"], got["volunteer_ids"]) == (worker, [volunteer])
