"""Bad input is a 422 naming the field; roles and communities are checked at the gateway and
in the service (another community's admin or resident gets the 404 of a missing record)."""

from __future__ import annotations

import time

import pytest

from services.common.errors import DomainError
from tests.care.helpers import add_service, add_session, book, resident
from tests.platform import error_of


@pytest.mark.parametrize(("change", "field"), [
    ({"capacity": 0}, "capacity"),
    ({"kind": "karaoke"}, "kind"),
    ({"provider_kind": "robot"}, "provider_kind"),
    ({"price_points": -1}, "price_points"),
    ({"eligibility": {"min_age": 12, "max_age": 3}}, "eligibility"),
    ({"title": ""}, "title"),
    ({"surprise": 1}, "surprise"),
])
def test_a_bad_service_is_a_422_naming_the_field(cplatform, change, field):
    body = {"kind": "day_care", "title": "日间照料", "detail": "午休与康复训练",
            "provider_kind": "community", "provider_name": "社区日照中心", "capacity": 8} | change
    got = cplatform.client.post("/care/services", json=body,
                                headers=cplatform.headers("community_admin"))
    assert got.status_code == 422, got.text
    assert any(k.startswith(field) for k in error_of(got)["fields"]), error_of(got)


def test_a_session_that_ends_before_it_starts_names_ends_ts(cplatform):
    service = add_service(cplatform)
    now = time.time()
    got = cplatform.client.post(f"/care/services/{service['id']}/sessions",
                                headers=cplatform.headers("community_admin"),
                                json={"starts_ts": now + 100, "ends_ts": now})
    assert got.status_code == 422 and "ends_ts" in error_of(got)["fields"]


def test_an_ineligible_beneficiary_names_what_does_not_fit(cplatform):
    service = add_service(cplatform, eligibility={"min_age": 60, "living_alone": True})
    session = add_session(cplatform, service["id"])
    me = resident(cplatform)
    young = book(cplatform, session["id"], me, {"beneficiary": {"name": "小王", "age": 30}})
    assert young.status_code == 422
    assert error_of(young)["fields"] == {"beneficiary.age": "at least 60"}
    not_alone = book(cplatform, session["id"], me,
                     {"beneficiary": {"name": "老王", "age": 70, "living_alone": False}})
    assert error_of(not_alone)["fields"] == {"beneficiary.living_alone": "must be true"}
    no_age = book(cplatform, session["id"], me, {"beneficiary": {"name": "老王"}})
    assert no_age.status_code == 422 and "beneficiary.age" in error_of(no_age)["fields"]


def test_a_resident_adds_no_service(cplatform):
    got = cplatform.client.post("/care/services", headers=resident(cplatform), json={
        "kind": "day_care", "title": "x", "detail": "y", "provider_kind": "family",
        "provider_name": "z", "capacity": 1})
    assert got.status_code == 403 and error_of(got)["fields"]["role"].startswith("needs")


def test_another_communitys_admin_is_refused_at_the_gateway_and_the_service(cplatform):
    service = add_service(cplatform)
    admin_b = cplatform.headers("community_admin", "B")
    now = time.time()
    got = cplatform.client.post(f"/care/services/{service['id']}/sessions", headers=admin_b,
                                json={"starts_ts": now, "ends_ts": now + 60})
    assert got.status_code == 404 and error_of(got)["fields"] == {"service_id": "unknown"}
    named = cplatform.client.post("/care/services", headers=admin_b, json={
        "community_id": cplatform.community_id("A"), "kind": "day_care", "title": "x",
        "detail": "y", "provider_kind": "community", "provider_name": "z", "capacity": 1})
    assert named.status_code == 404 and error_of(named)["fields"] == {"community_id": "unknown"}
    b_admin = cplatform.user("community_admin", "B")
    caller = {"user_id": b_admin["id"], "role": "community_admin",
              "district_id": cplatform.tenancy().district["id"],
              "community_id": cplatform.community_id("B")}
    with cplatform.rpc() as rpc:
        with pytest.raises(DomainError) as refused:
            rpc.care.add_session(caller, service["id"], {"starts_ts": now, "ends_ts": now + 60})
        assert refused.value.fields == {"service_id": "unknown"}
        with pytest.raises(DomainError) as not_admin:
            rpc.care.add_service(dict(caller, role="resident"), {
                "kind": "day_care", "title": "x", "detail": "y", "provider_kind": "family",
                "provider_name": "z", "capacity": 1})
        assert not_admin.value.status == 403


def test_a_resident_of_another_community_books_nothing_here(cplatform):
    service = add_service(cplatform)
    session = add_session(cplatform, service["id"])
    got = book(cplatform, session["id"], resident(cplatform, where="B"))
    assert got.status_code == 404 and error_of(got)["fields"] == {"session_id": "unknown"}


def test_the_catalogue_is_public_and_paged(cplatform):
    community = cplatform.community_id("A")
    made = [add_service(cplatform, title=f"健康体检 {i}", kind="health_check")
            for i in range(3)]
    first = cplatform.client.get(f"/care/communities/{community}/services?limit=2")
    assert first.status_code == 200
    page = first.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    assert [s["id"] for s in page["items"]] == [made[2]["id"], made[1]["id"]]
    nxt = cplatform.client.get(f"/care/communities/{community}/services",
                               params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert nxt["items"][0]["id"] == made[0]["id"]
    bad = cplatform.client.get(f"/care/communities/{community}/services?limit=1000")
    assert bad.status_code == 422
    other = cplatform.client.get(f"/care/communities/{community}/services",
                                 params={"cursor": "bm9wZXxub3Bl"})
    assert other.status_code == 422 and error_of(other)["fields"] == {
        "cursor": "not of this list"}


def test_the_admins_acts_are_audited_without_the_elders_details(cplatform):
    """add a service, register an elder, assign the rota: `audit.recorded` in each act's
    own commit (ids, kinds and the rota; never a name or an address)."""
    from deploy.waits import wait_until
    from tests.care.helpers import EventProbe

    service = add_service(cplatform, title="健康体检 audited", kind="health_check")
    admin = cplatform.headers("community_admin")
    elder = cplatform.client.post("/care/elders", headers=admin, json={
        "name": "审计爷爷", "age": 90, "address": "9 号楼 909"}).json()
    rota = cplatform.client.put(f"/care/elders/{elder['id']}/rota", headers=admin,
                                json={"grid_worker_id": "u-gw-audit", "every_days": 5})
    assert rota.status_code == 200, rota.text
    session = add_session(cplatform, service["id"], capacity=4)

    def trail() -> dict[str, dict]:
        return {e["payload"]["action"]: e["payload"] for e in EventProbe.seen
                if e["type"] == "audit.recorded"
                and e["payload"]["record_id"] in (service["id"], elder["id"], session["id"])}

    assert wait_until(lambda: len(trail()) == 4, timeout=10, every=0.1), trail()
    acts = trail()
    assert acts["care.service_add"]["after"]["kind"] == "health_check"
    assert acts["care.session_add"]["after"] == {
        "service_id": service["id"], "starts_ts": session["starts_ts"],
        "ends_ts": session["ends_ts"], "capacity": 4}
    assert acts["care.session_add"]["record_type"] == "care_session"
    assert acts["care.rota_assign"]["after"]["every_days"] == 5
    assert acts["care.rota_assign"]["actor_role"] == "community_admin"
    # the whole address, not its digits: a session's times may hold "909"
    assert not any(s in str(acts) for s in ("审计爷爷", "9 号楼 909"))
