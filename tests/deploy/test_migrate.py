"""`python -m deploy.migrate` gives documents of older releases the keys the services read by,
in bounded batches, and a second run changes nothing."""

from __future__ import annotations

import random
import time

import pymongo

from bench.seed_bulk import _templates, batch
from deploy.migrate import migrate
from services.common.paging import page_key
from services.intake.models import LISTING_KEYS

COMMUNITY = {"id": "c-mig", "street_id": "s-mig", "district_id": "d-mig"}
ORDER_KEYS = ("board_key", "state_key", "street_key", "district_key", "next_due_ts")


def _same(got: object, wanted: object) -> bool:
    """Equal, but for the time: derived again from what the store kept (milliseconds)."""
    if isinstance(wanted, str) and isinstance(got, str):
        (gs, gt, gi), (ws, wt, wi) = got.split("|"), wanted.split("|")
        return (gs, gi) == (ws, wi) and abs(float(gt) - float(wt)) < 0.001
    if wanted is None or got is None:  # a closed order watches no deadline
        return got is wanted
    return abs(float(got) - float(wanted)) < 0.001  # type: ignore[arg-type]


def test_old_documents_get_their_keys_once(store_uri, db_prefix):
    client = pymongo.MongoClient(store_uri, tz_aware=True)
    dbs = {name: client[f"{db_prefix}{name}"] for name in ("intake", "dispatch", "identity")}
    issues, entries, orders, _ = batch([COMMUNITY], [_templates(COMMUNITY)], 0, 7, time.time(),
                                       random.Random(3))
    want_orders = {o["_id"]: {k: o[k] for k in ORDER_KEYS} for o in orders}
    want_entries = {e["_id"]: e["page_key"] for e in entries}
    # As an older release stored them: none of the derived keys.
    for i in issues:
        for k in ("created_ts", "dup_key", *LISTING_KEYS):
            i.pop(k, None)
    for o in orders:
        for k in (*ORDER_KEYS, "pool_key", "holder_key", "resolution_due_ts",
                  "street_reached_key", "district_reached_key"):
            o.pop(k, None)
    for e in entries:
        e.pop("page_key")
    dbs["intake"].issues.insert_many(issues)
    dbs["intake"].timeline.insert_many(entries)
    dbs["dispatch"].orders.insert_many(orders)
    dbs["dispatch"].responders.insert_many([
        {"_id": f"r-{n}", "community_id": COMMUNITY["id"], "key": f"member:u{n}",
         "kind": "grid_worker", "name": "网格员"} for n in range(3)])
    # Entries of the backfill listings from before they had one (and, for the catalogue,
    # from before it was an aggregate: no version).
    dbs["intake"].categories.insert_one({"_id": "c-mig:old", "community_id": COMMUNITY["id"],
                                         "code": "old", "definition": {"name": "旧类别"},
                                         "catalogue_key": "c-mig|g|old"})
    dbs["dispatch"].grids.insert_one({"_id": "g-old", "community_id": COMMUNITY["id"],
                                      "code": "OLD", "version": 3})
    dbs["identity"].users.insert_one({"_id": "u-old", "username": "old", "version": 2})
    try:
        done = migrate(dbs, batch=2, say=lambda _: None)  # batches smaller than the data
        assert done == {"intake.issues.community_key": 7,
                        "intake.timeline.page_key": len(entries),
                        "intake.categories.catalogue_key": 0, "intake.categories.page_key": 1,
                        "dispatch.orders.board_key": len(orders),
                        "dispatch.responders.duty_key": 3, "dispatch.grids.page_key": 1,
                        "identity.users.page_key": 1}
        old = dbs["intake"].categories.find_one({"_id": "c-mig:old"})
        assert old["page_key"].startswith("categories|") and old["version"] == 0
        assert dbs["dispatch"].grids.find_one({"_id": "g-old"})["page_key"].startswith("grids|")
        user = dbs["identity"].users.find_one({"_id": "u-old"})
        assert user["page_key"].startswith("users|") and user["version"] == 2
        for i in dbs["intake"].issues.find():
            at = i["created_at"].timestamp()  # what an old issue knows of its time (ms)
            assert i["created_ts"] == at
            assert i["community_key"] == page_key(COMMUNITY["id"], at, i["_id"])
            assert i["state_key"] == page_key(f"{COMMUNITY['id']}:{i['state']}", at, i["_id"])
            assert i["district_key"] == page_key(COMMUNITY["district_id"], at, i["_id"])
        for o in dbs["dispatch"].orders.find():
            for k in ORDER_KEYS:
                assert _same(o[k], want_orders[o["_id"]][k]), k
        stored = {e["_id"]: e["page_key"] for e in dbs["intake"].timeline.find()}
        assert stored.keys() == want_entries.keys()
        assert all(_same(stored[k], want_entries[k]) for k in stored)
        assert {r["duty_key"] for r in dbs["dispatch"].responders.find()} == {
            f"{COMMUNITY['id']}|grid_worker"}
        again = migrate(dbs, batch=2, say=lambda _: None)
        assert set(again.values()) == {0}
    finally:
        for db in dbs.values():
            client.drop_database(db.name)


def test_publications_from_before_they_were_aggregates_get_a_version_once(store_uri, db_prefix):
    client = pymongo.MongoClient(store_uri, tz_aware=True)
    db = client[f"{db_prefix}evaluation"]
    db.publications.insert_one({"_id": "community.district.d1.satisfaction.x", "page_key":
                                "pub:d1|1.0|p", "district_id": "d1",
                                "league": {"published_at": 1_800_000_000.5}})
    try:
        assert migrate({"evaluation": db}, say=lambda _: None) == {
            "evaluation.publications.published_ts": 1}
        old = db.publications.find_one()
        assert (old["version"], old["published_ts"], bool(old["withdrawn"])) == (
            0, 1_800_000_000.5, False)
        assert migrate({"evaluation": db}, say=lambda _: None) == {
            "evaluation.publications.published_ts": 0}
    finally:
        client.drop_database(db.name)


def test_earning_rules_upserted_without_a_version_get_version_0_once(store_uri, db_prefix):
    client = pymongo.MongoClient(store_uri, tz_aware=True)
    db = client[f"{db_prefix}points"]
    db.rules.insert_many([
        {"_id": "c1|issue_verified", "community_id": "c1", "kind": "issue_verified", "points": 5},
        {"_id": "c1|vote_cast", "community_id": "c1", "kind": "vote_cast", "points": 1,
         "version": 3}])
    try:
        assert migrate({"points": db}, say=lambda _: None) == {"points.rules.version": 1}
        assert {r["_id"]: r["version"] for r in db.rules.find()} == {
            "c1|issue_verified": 0, "c1|vote_cast": 3}
        assert migrate({"points": db}, say=lambda _: None) == {"points.rules.version": 0}
    finally:
        client.drop_database(db.name)
