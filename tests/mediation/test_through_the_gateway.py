"""The whole flow through the gateway with the running services: a neighbour dispute filed
with intake → a mediation case → a mediator matched by volunteers and accepted → two
meetings in the 调解工作室 booked with deliberation → an agreement signed by both parties
with a follow-up that fires once, also across a restart of the mediation container → the
parties' ratings through evaluation, and the figures."""

from __future__ import annotations

import time

from prometheus_client import REGISTRY

from deploy.waits import wait_until
from services.mediation.service import MediationService
from tests.mediation.helpers import events, tag, wait_case


def _restart_mediation(platform) -> None:  # noqa: ANN001
    platform.containers["mediation"].kill()
    container = platform.container_factory(MediationService, platform.config)
    container.start()
    platform.containers["mediation"] = container


def test_a_neighbour_dispute_is_mediated_to_an_agreement_kept_and_rated(mplatform, mediators):
    client, t = mplatform.client, tag()
    admin = mplatform.headers("community_admin")
    first, second = (mplatform.user("resident", "A", f"p1{t}"),
                     mplatform.user("resident", "A", f"p2{t}"))
    h1, h2 = (mplatform.headers("resident", "A", f"p1{t}"),
              mplatform.headers("resident", "A", f"p2{t}"))

    filed = client.post("/issues", headers=h1, json={
        "community_id": mplatform.community_id("A"), "category": "neighbour_dispute",
        "description": "楼上漏水到我家天花板，协商不成",
        "location": {"lat": 39.9042, "lng": 116.4074}})
    assert filed.status_code == 201, filed.text
    assert client.post(f"/issues/{filed.json()['id']}/triage", headers=admin,
                       json={}).status_code == 200
    case_id = f"md-{filed.json()['id']}"
    public = client.get(f"/public/communities/{mplatform.community_id('A')}/issues")
    assert public.status_code == 200 and filed.json()["id"] not in public.text  # 私事
    case = wait_case(client, admin, case_id, lambda c: True)
    assert (case["source"], case["kind"], case["state"]) == ("issue", "neighbour", "open")
    assert case["parties"][0]["account_id"] == first["id"]

    completed = client.put(f"/mediation/cases/{case_id}/parties/p2", headers=admin,
                           json={"name": "楼上住户", "account_id": second["id"],
                                 "phone": "+86 137 0000 0000"})
    assert completed.status_code == 200, completed.text

    mediator = mediators.accept(case_id)
    case = wait_case(client, admin, case_id, lambda c: c["mediator_id"] == mediator)
    medh = mediators.headers[mediator]
    for headers, party in ((h1, "p1"), (h2, "p2")):
        answered = client.post(f"/mediation/cases/{case_id}/consent", headers=headers,
                               json={"party_id": party, "consent": True})
        assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "mediating"
    assert answered.json()["parties"][0]["name"] is None  # a party sees not the other's

    hall = client.post("/halls", headers=admin, json={
        "kind": "workshop", "name": f"调解工作室 {t}", "address": "社区服务中心二楼",
        "opening_hours": "00:00-24:00", "capacity": 8, "contact": "010-8888"})
    assert hall.status_code == 201, hall.text
    now = time.time()
    slots = [(now - 3 * 86400, now - 3 * 86400 + 3600), (now - 86400, now - 86400 + 3600)]
    for starts, ends in slots:
        made = client.post(f"/mediation/cases/{case_id}/meetings", headers=medh, json={
            "hall_id": hall.json()["id"], "starts_ts": starts, "ends_ts": ends})
        assert made.status_code == 200, made.text
        assert made.json()["meetings"][-1]["placement"] == "placed"
    clash = client.post(f"/mediation/cases/{case_id}/meetings", headers=medh, json={
        "hall_id": hall.json()["id"], "starts_ts": slots[0][0], "ends_ts": slots[0][1]})
    assert clash.status_code == 200, clash.text  # the hall is taken: recorded, unplaced
    assert clash.json()["meetings"][-1]["placement"] == "unplaced"
    assert "booked" in clash.json()["meetings"][-1]["booking_error"]
    for meeting in clash.json()["meetings"][:2]:
        recorded = client.post(
            f"/mediation/cases/{case_id}/meetings/{meeting['meeting_id']}/record",
            headers=medh, json={"summary": "双方陈述，查看漏水点", "attended": ["p1", "p2"]})
        assert recorded.status_code == 200, recorded.text

    follow_up = time.time() + 4
    drafted = client.post(f"/mediation/cases/{case_id}/agreement", headers=medh, json={
        "text": "楼上住户一周内修复防水层并赔偿粉刷费用 800 元", "follow_up_ts": follow_up})
    assert drafted.status_code == 200 and drafted.json()["state"] == "agreement_pending"
    for headers, party in ((h1, "p1"), (h2, "p2")):
        signed = client.post(f"/mediation/cases/{case_id}/agreement/sign", headers=headers,
                             json={"party_id": party})
        assert signed.status_code == 200, signed.text
    assert signed.json()["state"] == "agreed" and signed.json()["outcome"] == "agreement"

    # The mediation container is down while the follow-up date passes; a new one fires it.
    mplatform.containers["mediation"].kill()
    assert wait_until(lambda: time.time() > follow_up + 0.5, timeout=15, every=0.2)
    _restart_mediation(mplatform)
    case = wait_case(client, medh, case_id, lambda c: c["state"] == "follow_up_due")
    assert wait_until(lambda: events("case.follow_up_due", case_id=case_id), timeout=10)

    item = f"med-{case_id}"
    for headers, score in ((h1, 5), (h2, 4)):
        assert wait_until(lambda h=headers, s=score: client.post(
            f"/evaluation/items/{item}/rate", headers=h, json={"score": s}).status_code == 200,
            timeout=15, every=0.3)
    case = wait_case(client, medh, case_id, lambda c: c["ratings"] == 2)
    assert case["mean_rating"] == 4.5

    def load() -> int:
        return client.get(f"/volunteers/{mediator}", headers=admin).json()["load"]

    held = load()
    assert held >= 1  # the accepted case counts in the mediator's load
    _restart_mediation(mplatform)  # fired already: a second restart fires nothing again
    kept = client.post(f"/mediation/cases/{case_id}/follow-up", headers=medh,
                       json={"kept": True, "note": "回访：已修复，双方满意"})
    assert kept.status_code == 200, kept.text
    assert kept.json()["state"] == "closed" and kept.json()["follow_up_kept"] is True
    assert wait_until(lambda: events("case.closed", case_id=case_id), timeout=10)
    assert len(events("case.follow_up_due", case_id=case_id)) == 1
    assert wait_until(lambda: load() == held - 1, timeout=10)  # volunteers released it

    figures = client.get("/mediation/figures", headers=admin, params={
        "unit": "community", "unit_id": mplatform.community_id("A")})
    assert figures.status_code == 200, figures.text
    assert figures.json()["by_kind"]["neighbour"] >= 1
    assert figures.json()["follow_ups_kept"] >= 1
    assert figures.json()["mean_days_to_agreement"] is not None
    assert REGISTRY.get_sample_value("linli_mediation_follow_ups_total",
                                     {"result": "kept"}) >= 1
