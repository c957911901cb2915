"""The admin acts of deliberation, evaluation and volunteers through the gateway: each is
one entry of its service with the fields it changed."""

from __future__ import annotations

from tests.audit.helpers import tag, wait_entries


def test_a_hall_a_rating_window_and_an_offer_window_are_entries(aplatform):
    client, t = aplatform.client, tag()
    community = aplatform.community_id("A")
    admin = aplatform.headers("community_admin") | {"X-Request-ID": f"req-{t}"}
    district = aplatform.headers("district_admin")

    hall = client.post("/halls", headers=admin, json={
        "kind": "community", "name": f"议事厅 {t}", "address": "社区服务中心二楼",
        "opening_hours": "周一至周五 9:00-17:00", "capacity": 40, "contact": "居委会"})
    assert hall.status_code == 201, hall.text
    window = client.put(f"/evaluation/policy/{community}", headers=admin,
                        json={"window_days": 9})
    assert window.status_code == 200, window.text
    offers = client.put("/volunteers/policy", headers=admin, params={"community_id": community},
                        json={"offer_minutes": 17})
    assert offers.status_code == 200, offers.text

    found = wait_entries(client, district, 3, lambda e: e["request_id"] == f"req-{t}",
                         community_id=community)
    by = {e["service"]: e for e in found}
    assert set(by) == {"deliberation", "evaluation", "volunteers"}, found
    made = by["deliberation"]
    assert (made["record_id"], made["before"]) == (hall.json()["id"], {})
    assert made["actor_role"] == "community_admin"
    assert by["evaluation"]["after"].get("window_days") == 9, by["evaluation"]
    assert by["volunteers"]["after"].get("offer_minutes") == 17, by["volunteers"]


def test_a_mediation_case_opened_by_the_admin_is_an_entry_without_its_parties(aplatform):
    client, t = aplatform.client, tag()
    community = aplatform.community_id("A")
    admin = aplatform.headers("community_admin") | {"X-Request-ID": f"req-{t}"}
    opened = client.post("/mediation/cases", headers=admin, json={
        "community_id": community, "kind": "neighbour", "summary": f"漏水纠纷 {t}",
        "parties": [{"name": "甲某某"}, {"name": "乙某某"}]})
    assert opened.status_code == 201, opened.text

    [entry] = wait_entries(client, aplatform.headers("district_admin"), 1,
                           lambda e: e["request_id"] == f"req-{t}", community_id=community)
    assert (entry["service"], entry["action"]) == ("mediation", "case.open")
    assert entry["record_id"] == opened.json()["id"]
    assert entry["after"]["kind"] == "neighbour"
    assert "甲某某" not in str(entry) and "漏水" not in str(entry)  # private to the case
