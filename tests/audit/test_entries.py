"""The audit log itself: stored once per event, append-only, read within one's scope, paged
by cursor, exported as CSV by the district admin."""

from __future__ import annotations

import csv
import io
import time

import pytest

from deploy.waits import wait_until
from services.audit.entries import store
from services.audit.models import AppendOnly, AuditEntry
from services.audit.service import AuditService
from services.common.contracts import Envelope
from services.common.errors import Forbidden
from tests.audit.helpers import an_entry, entries, publish, tag, wait_entries
from tests.platform import error_of


def test_a_redelivered_event_is_stored_once(aplatform):
    envelope = an_entry(aplatform, f"test.redeliver_{tag()}")
    publish(aplatform, "intake", envelope, times=3)
    district = aplatform.headers("district_admin")
    [entry] = wait_entries(aplatform.client, district, 1, action=envelope["payload"]["action"])
    assert entry["id"] == envelope["id"] and entry["service"] == "intake"
    first = AuditEntry.objects(id=envelope["id"]).first()
    publish(aplatform, "intake", envelope)
    time.sleep(0.5)
    # the redelivery left the first row as it was, and storing it again stores nothing
    assert AuditEntry.objects(id=envelope["id"]).first().received_ts == first.received_ts
    assert store(Envelope.model_validate(envelope), "intake") is False
    assert len(entries(aplatform.client, district, action=envelope["payload"]["action"])) == 1


def test_an_entry_cannot_be_changed_or_removed(aplatform):
    envelope = an_entry(aplatform, f"test.frozen_{tag()}")
    publish(aplatform, "dispatch", envelope)
    assert wait_until(lambda: AuditEntry.objects(id=envelope["id"]).first(), timeout=10,
                      every=0.1)
    entry = AuditEntry.objects(id=envelope["id"]).first()
    entry.after = {"state": "forged"}
    for attempt in (entry.save, entry.delete, lambda: entry.update(set__after={}),
                    lambda: AuditEntry.objects(id=entry.id).delete(),
                    lambda: AuditEntry.objects(id=entry.id).update(set__after={})):
        with pytest.raises(AppendOnly):
            attempt()
    assert AuditEntry.objects(id=envelope["id"]).first().after == {"state": "closed"}
    # Neither the gateway nor the service offers a way to edit or remove one.
    paths = aplatform.client.get("/openapi.json").json()["paths"]
    audit_paths = {p: set(ops) for p, ops in paths.items() if p.startswith("/audit")}
    assert audit_paths == {"/audit/entries": {"get"}, "/audit/entries.csv": {"get"}}
    for method in ("post", "put", "patch", "delete"):
        answer = aplatform.client.request(method.upper(), "/audit/entries",
                                          headers=aplatform.headers("district_admin"))
        assert answer.status_code == 405
    rpcs = {name for name in dir(AuditService)
            if hasattr(getattr(AuditService, name), "nameko_entrypoints")
            and "audit_recorded" not in name}
    assert rpcs == {"list_entries", "export_entries"}


def test_each_admin_reads_its_own_scope_and_a_resident_none(aplatform):
    client, action = aplatform.client, f"test.scope_{tag()}"
    for where in ("A", "B"):
        publish(aplatform, "points", an_entry(aplatform, action, where))
    district = aplatform.headers("district_admin")
    everything = wait_entries(client, district, 2, action=action)
    assert {e["community_id"] for e in everything} == {aplatform.community_id("A"),
                                                     aplatform.community_id("B")}

    admin_a = aplatform.headers("community_admin", "A")
    [own] = entries(client, admin_a, action=action)
    assert own["community_id"] == aplatform.community_id("A")
    other = client.get("/audit/entries", headers=admin_a,
                       params={"community_id": aplatform.community_id("B")})
    assert other.status_code == 403 and error_of(other)["fields"] == {
        "community_id": "not your community"}
    street_a = aplatform.headers("street_admin", "A")
    assert [e["community_id"] for e in entries(client, street_a, action=action)] == [
        aplatform.community_id("A")]
    assert entries(client, street_a, action=action,
                   community_id=aplatform.community_id("B")) == []

    for role in ("resident", "grid_worker", "ops", "merchant"):
        refused = client.get("/audit/entries", headers=aplatform.headers(role))
        assert refused.status_code == 403, (role, refused.text)
    with aplatform.rpc() as rpc:  # the service refuses too, without the gateway
        resident, admin = aplatform.user("resident"), aplatform.user("community_admin")
        as_resident = {"user_id": resident["id"], "role": "resident",
                       "district_id": resident["district_id"],
                       "community_id": resident["community_id"]}
        as_admin = {"user_id": admin["id"], "role": "community_admin",
                    "district_id": admin["district_id"], "street_id": admin["street_id"],
                    "community_id": admin["community_id"]}
        with pytest.raises(Forbidden):
            rpc.audit.list_entries(as_resident, {})
        with pytest.raises(Forbidden):
            rpc.audit.list_entries(as_admin, {"community_id": aplatform.community_id("B")})
        with pytest.raises(Forbidden):
            rpc.audit.export_entries(as_admin, {})
        assert [e["community_id"] for e in rpc.audit.list_entries(
            as_admin, {"action": action})["items"]] == [aplatform.community_id("A")]


def test_bad_queries_are_422_naming_the_field(aplatform):
    district = aplatform.headers("district_admin")
    for params, field in (({"action": "Not An Action"}, "action"),
                          ({"since": 100, "until": 50}, "until"),
                          ({"limit": 0}, "limit"), ({"cursor": "!!"}, "cursor"),
                          ({"record_type": "a-b"}, "record_type")):
        got = aplatform.client.get("/audit/entries", headers=district, params=params)
        assert got.status_code == 422, (params, got.text)
        assert field in error_of(got)["fields"], (params, got.text)


def test_paging_by_cursor_returns_every_entry_once(aplatform):
    client, t = aplatform.client, tag()
    wanted, noise = f"test.page_{t}", f"test.noise_{t}"
    start = time.time()
    made = []
    for i in range(9):  # interleaved: the community admin's pages skip the noise
        envelope = an_entry(aplatform, wanted if i % 3 else noise, ts=start + i)
        made.append(envelope)
        publish(aplatform, "identity", envelope)
    wanted_ids = {e["id"] for e in made if e["payload"]["action"] == wanted}
    district = aplatform.headers("district_admin")
    wait_entries(client, district, 6, action=wanted)

    for headers, query in ((district, {"action": wanted}),
                           (aplatform.headers("community_admin"), {"action": wanted})):
        pages, cursor, seen = 0, None, []
        while True:
            got = client.get("/audit/entries", headers=headers,
                             params=query | {"limit": 2} | ({"cursor": cursor} if cursor else {}))
            assert got.status_code == 200, got.text
            seen += got.json()["items"]
            cursor, pages = got.json()["next_cursor"], pages + 1
            if cursor is None:
                break
        assert [e["id"] for e in seen if e["id"] in wanted_ids] == [e["id"] for e in seen]
        assert sorted(e["id"] for e in seen) == sorted(wanted_ids)  # each once
        assert [e["ts"] for e in seen] == sorted((e["ts"] for e in seen), reverse=True)
        assert pages >= 3

    window = entries(client, district, action=wanted, since=start + 2, until=start + 5)
    assert sorted(e["ts"] - start for e in window) == [2, 4]


def test_the_csv_export_has_the_header_and_every_row(aplatform):
    client, action = aplatform.client, f"test.export_{tag()}"
    made = [an_entry(aplatform, action, where) for where in ("A", "B", "A")]
    for envelope in made:
        publish(aplatform, "volunteers", envelope)
    district = aplatform.headers("district_admin")
    wait_entries(client, district, 3, action=action)

    got = client.get("/audit/entries.csv", headers=district, params={"action": action})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert got.text.splitlines()[0].startswith("id,at,ts,service,actor_id,actor_role")
    assert sorted(r["id"] for r in rows) == sorted(e["id"] for e in made)
    row = next(r for r in rows if r["id"] == made[0]["id"])
    assert row["action"] == action and row["service"] == "volunteers"
    assert row["before"] == '{"state": "open"}' and row["after"] == '{"state": "closed"}'
    assert row["request_id"] == made[0]["payload"]["request_id"]

    for role in ("community_admin", "street_admin", "resident"):
        refused = client.get("/audit/entries.csv", headers=aplatform.headers(role))
        assert refused.status_code == 403, (role, refused.text)
