"""STORE-CONFORMANCE: the MongoDB 7 behaviour the services rely on, on the session's store.

Every test here must pass on nx-27017 (the default test store) AND on MongoDB 7
(LINLI_TEST_MONGO_URI). The embedded store's divergences are pinned in
`test_divergences.py` and listed in docs/store.md.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import gridfs
import mongoengine as me
import pytest
from mongoengine.errors import NotUniqueError, SaveConditionError
from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.common.caller import Role
from services.common.contracts import Actor, Envelope, event_payload
from services.common.store import Aggregate, StaleWrite
from tests.store.conftest import ME_ALIAS

T0 = datetime(2024, 3, 1, 8, 30, 0, 123000, tzinfo=UTC)


def ids(cursor: Any) -> list[Any]:
    return sorted(d["_id"] for d in cursor)


# --- documents for the mongoengine tests ------------------------------------------------


@event_payload("conformance.noted")
class Noted(BaseModel):
    n: int


class ConfLedger(Aggregate):
    meta = {"db_alias": ME_ALIAS, "collection": "ledgers"}
    id = me.StringField(primary_key=True)
    balance = me.IntField(default=0)


class ConfMember(me.Document):
    meta = {"db_alias": ME_ALIAS, "collection": "members",
            "indexes": [{"fields": ["email"], "unique": True},
                        {"fields": ["community", "number"], "unique": True}]}
    id = me.StringField(primary_key=True)
    email = me.StringField(required=True)
    community = me.StringField(required=True)
    number = me.IntField(required=True)
    version = me.IntField(default=0)
    active = me.BooleanField(default=False)
    joined_at = me.DateTimeField()


def noted(n: int) -> Envelope:
    return Envelope(type="conformance.noted", actor=Actor(user_id="u1", role=Role.resident),
                    payload={"n": n})


# --- reads ------------------------------------------------------------------------------


def test_insert_find_sort_skip_limit_projection(db: Database[Any]) -> None:
    c = db.items
    c.insert_many([{"_id": i, "kind": "ab"[i % 2], "n": i} for i in range(6)])
    got = c.find({}).sort([("kind", ASCENDING), ("n", DESCENDING)]).skip(1).limit(3)
    assert [d["_id"] for d in got] == [2, 0, 5]
    assert c.find_one({"_id": 3}, {"n": 1}) == {"_id": 3, "n": 3}
    assert c.find_one({"_id": 3}, {"n": 1, "_id": 0}) == {"n": 3}
    assert c.find_one({"_id": 99}) is None


def test_count_documents(db: Database[Any]) -> None:
    c = db.items
    c.insert_many([{"_id": i, "kind": "ab"[i % 2], "at": T0 + timedelta(days=i)} for i in range(7)])
    assert c.count_documents({}) == 7
    assert c.count_documents({"kind": "a"}) == 4
    assert c.count_documents({"kind": {"$in": ["a", "b"]}}, skip=2, limit=3) == 3
    assert c.count_documents({"at": {"$gte": T0 + timedelta(days=5)}}) == 2
    assert c.count_documents({"kind": "z"}) == 0


def test_comparison_and_logical_operators(db: Database[Any]) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "s": "open", "n": 1}, {"_id": 2, "s": "done", "n": 2},
                   {"_id": 3, "s": "void", "n": 3}, {"_id": 4}])
    assert ids(c.find({"s": {"$in": ["open", "void"]}})) == [1, 3]
    assert ids(c.find({"s": {"$nin": ["open", "void"]}})) == [2, 4]
    assert ids(c.find({"s": {"$ne": "open"}})) == [2, 3, 4]
    assert ids(c.find({"$or": [{"s": "open"}, {"n": {"$gte": 3}}]})) == [1, 3]
    assert ids(c.find({"$and": [{"n": {"$gt": 1}}, {"n": {"$lte": 3}}]})) == [2, 3]
    assert ids(c.find({"n": {"$lt": 2}})) == [1]
    assert ids(c.find({"s": {"$exists": False}})) == [4]
    assert ids(c.find({"s": None})) == [4]


def test_datetime_ranges_and_sort(db: Database[Any]) -> None:
    c = db.items
    c.insert_many([{"_id": i, "at": T0 + timedelta(hours=i)} for i in range(5)])
    one = T0 + timedelta(hours=1)
    assert ids(c.find({"at": {"$lt": one}})) == [0]
    assert ids(c.find({"at": {"$lte": one}})) == [0, 1]
    assert ids(c.find({"at": {"$gt": one, "$lte": T0 + timedelta(hours=3)}})) == [2, 3]
    assert ids(c.find({"at": {"$gte": T0 + timedelta(hours=4)}})) == [4]
    assert ids(c.find({"at": one})) == [1]
    assert [d["_id"] for d in c.find().sort("at", DESCENDING).limit(2)] == [4, 3]


def test_datetime_round_trip_millisecond_precision_tz_aware(db: Database[Any]) -> None:
    shanghai = timezone(timedelta(hours=8))
    micro = datetime(2024, 6, 1, 20, 0, 0, 123456, tzinfo=shanghai)
    db.items.insert_one({"_id": 1, "at": micro})
    back = db.items.find_one({"_id": 1})["at"]
    assert back == micro.replace(microsecond=123000)  # BSON dates keep milliseconds
    assert back.utcoffset() == timedelta(0)  # tz_aware=True: read back in UTC
    assert back.hour == 12


# --- arrays -----------------------------------------------------------------------------


def test_set_whole_array_of_subdocuments_then_query_it(db: Database[Any]) -> None:
    """What the outbox does instead of $push: write the whole list with $set."""
    c = db.items
    c.insert_many([{"_id": 1, "subs": []}, {"_id": 2, "subs": [{"id": "z", "n": 3}]}, {"_id": 3}])
    subs = [{"id": "x", "n": 1, "deep": {"k": "v"}}, {"id": "y", "n": 5}]
    c.update_one({"_id": 1}, {"$set": {"subs": subs}})
    assert c.find_one({"_id": 1})["subs"] == subs
    assert ids(c.find({"subs.id": "y"})) == [1]
    assert ids(c.find({"subs.deep.k": "v"})) == [1]
    assert ids(c.find({"subs": {"$elemMatch": {"id": "y", "n": {"$gt": 4}}}})) == [1]
    assert ids(c.find({"subs": {"$elemMatch": {"id": "x", "n": {"$gt": 4}}}})) == []
    assert ids(c.find({"subs": {"$elemMatch": {"id": "z", "n": 3}}})) == [2]


def test_scalar_arrays(db: Database[Any]) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "tags": ["a", "b"]}, {"_id": 2, "tags": ["c"]}, {"_id": 3}])
    assert ids(c.find({"tags": "a"})) == [1]
    assert ids(c.find({"tags": {"$in": ["a", "c"]}})) == [1, 2]
    assert ids(c.find({"tags": {"$nin": ["a"]}})) == [2, 3]
    assert ids(c.find({"tags": {"$all": ["a", "b"]}})) == [1]
    c.update_one({"_id": 1}, {"$push": {"tags": "d"}})
    c.update_one({"_id": 1}, {"$addToSet": {"tags": "a"}})
    c.update_one({"_id": 1}, {"$addToSet": {"tags": {"$each": ["b", "e"]}}})
    c.update_one({"_id": 1}, {"$pull": {"tags": "b"}})
    assert c.find_one({"_id": 1})["tags"] == ["a", "d", "e"]
    c.update_one({"_id": 3}, {"$push": {"tags": "new"}})
    assert c.find_one({"_id": 3})["tags"] == ["new"]


def test_size_zero(db: Database[Any]) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "arr": []}, {"_id": 2, "arr": [{"f": 1}]}, {"_id": 3}])
    assert ids(c.find({"arr": {"$size": 0}})) == [1]
    assert ids(c.find({"arr": {"$size": 1}})) == [2]


def test_pull_subdocuments_by_condition_then_clear_flag(db: Database[Any]) -> None:
    """The outbox relay: $pull published events by id ($in), then unflag if empty ($size: 0)."""
    c = db.items
    box = [{"id": "a", "type": "t"}, {"id": "b", "type": "t"}, {"id": "c", "type": "u"}]
    c.insert_one({"_id": 1, "outbox": box, "outbox_pending": True})
    c.update_one({"_id": 1}, {"$pull": {"outbox": {"id": {"$in": ["a", "b"]}}}})
    assert c.find_one({"_id": 1})["outbox"] == [{"id": "c", "type": "u"}]
    assert c.update_one({"_id": 1, "outbox": {"$size": 0}},
                        {"$set": {"outbox_pending": False}}).matched_count == 0
    c.update_one({"_id": 1}, {"$pull": {"outbox": {"type": "u", "id": "c"}}})
    assert c.update_one({"_id": 1, "outbox": {"$size": 0}},
                        {"$set": {"outbox_pending": False}}).matched_count == 1
    assert c.count_documents({"outbox_pending": True}) == 0
    assert ids(c.find({"outbox_pending": False})) == [1]


def test_positional_operator_updates_the_matched_element(db: Database[Any]) -> None:
    c = db.items
    c.insert_one({"_id": 1, "subs": [{"id": "x", "f": 0}, {"id": "y", "f": 0}]})
    c.update_one({"_id": 1, "subs.id": "y"}, {"$set": {"subs.$.f": 5}})
    assert c.find_one({"_id": 1})["subs"] == [{"id": "x", "f": 0}, {"id": "y", "f": 5}]


def test_nested_document_paths(db: Database[Any]) -> None:
    c = db.items
    c.insert_one({"_id": 1, "m": {"a": 1}})
    c.update_one({"_id": 1}, {"$set": {"m.b": 2}, "$inc": {"m.a": 1, "m.c": 3}})
    c.update_one({"_id": 1}, {"$unset": {"m.b": ""}, "$max": {"hi": 3}, "$min": {"lo": 3}})
    c.update_one({"_id": 1}, {"$max": {"hi": 2}, "$min": {"lo": 2}})
    assert c.find_one({"_id": 1}) == {"_id": 1, "m": {"a": 2, "c": 3}, "hi": 3, "lo": 2}
    assert ids(c.find({"m.c": {"$gte": 3}})) == [1]
    assert ids(c.find({"m.b": {"$exists": True}})) == []


# --- conditional writes -----------------------------------------------------------------


def test_update_conditional_on_version_matches_once(db: Database[Any]) -> None:
    c = db.items
    c.insert_one({"_id": 1, "version": 1, "text": "a"})
    first = c.update_one({"_id": 1, "version": 1}, {"$set": {"text": "b"}, "$inc": {"version": 1}})
    stale = c.update_one({"_id": 1, "version": 1}, {"$set": {"text": "c"}, "$inc": {"version": 1}})
    assert (first.matched_count, stale.matched_count) == (1, 0)
    assert c.find_one({"_id": 1}) == {"_id": 1, "version": 2, "text": "b"}


def test_guarded_inc_debits_once_and_refuses_when_insufficient(db: Database[Any]) -> None:
    c = db.points
    c.insert_one({"_id": "m1", "balance": 10})
    debit = [c.update_one({"_id": "m1", "balance": {"$gte": 4}}, {"$inc": {"balance": -4}})
             for _ in range(3)]
    assert [r.modified_count for r in debit] == [1, 1, 0]
    assert c.find_one({"_id": "m1"})["balance"] == 2


def test_find_one_and_update_with_sort_is_an_atomic_claim(db: Database[Any]) -> None:
    c = db.jobs
    c.insert_many([{"_id": i, "state": "ready", "due": T0 + timedelta(minutes=i)}
                   for i in range(3)])
    claim = {"state": "ready", "due": {"$lte": T0 + timedelta(minutes=1)}}
    first = c.find_one_and_update(claim, {"$set": {"state": "claimed", "by": "w1"}},
                                  sort=[("due", ASCENDING)], return_document=ReturnDocument.AFTER)
    second = c.find_one_and_update(claim, {"$set": {"state": "claimed", "by": "w2"}},
                                   sort=[("due", ASCENDING)])
    third = c.find_one_and_update(claim, {"$set": {"state": "claimed", "by": "w3"}})
    assert first is not None and first["_id"] == 0 and first["by"] == "w1"
    assert second is not None and second["_id"] == 1 and second["state"] == "ready"  # BEFORE
    assert third is None
    assert c.find_one_and_update({"_id": 2}, {"$set": {"x": 1}}, projection={"state": 1,
                                 "_id": 0}) == {"state": "ready"}


def race(n: int, fn: Any) -> list[Any]:
    """Run fn(i) in n threads released together; return their results."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_twenty_concurrent_claimers_exactly_one_wins(db: Database[Any]) -> None:
    c = db.jobs
    c.insert_one({"_id": "job", "state": "ready"})
    got = race(20, lambda i: c.find_one_and_update(
        {"_id": "job", "state": "ready"}, {"$set": {"state": "claimed", "by": i}},
        return_document=ReturnDocument.AFTER))
    winners = [r["by"] for r in got if r is not None]
    assert len(winners) == 1
    assert c.find_one({"_id": "job"})["by"] == winners[0]


def test_twenty_concurrent_version_writers_exactly_one_wins(db: Database[Any]) -> None:
    c = db.items
    c.insert_one({"_id": 1, "version": 1})
    bump = {"$inc": {"version": 1}}
    got = race(20, lambda i: c.update_one({"_id": 1, "version": 1},
                                          {"$set": {"by": i}, **bump}).matched_count)
    assert sum(got) == 1
    assert c.find_one({"_id": 1})["version"] == 2


def test_twenty_concurrent_guarded_debits_never_overdraw(db: Database[Any]) -> None:
    c = db.points
    c.insert_one({"_id": "m1", "balance": 10})
    got = race(20, lambda i: c.update_one({"_id": "m1", "balance": {"$gte": 1}},
                                          {"$inc": {"balance": -1}}).modified_count)
    assert sum(got) == 10
    assert c.find_one({"_id": "m1"})["balance"] == 0


def test_update_one_upsert_honours_set_on_insert(db: Database[Any]) -> None:
    c = db.items
    doc = {"$set": {"seen": 1}, "$setOnInsert": {"created": T0}, "$inc": {"hits": 1}}
    r = c.update_one({"key": "k"}, doc, upsert=True)
    assert r.upserted_id is not None
    c.update_one({"key": "k"}, {**doc, "$setOnInsert": {"created": T0 + timedelta(days=1)}},
                 upsert=True)
    got = c.find_one({"key": "k"}, {"_id": 0})
    assert got == {"key": "k", "seen": 1, "created": T0, "hits": 2}


# --- indexes ----------------------------------------------------------------------------


def test_unique_index_raises_duplicate_key_11000(db: Database[Any]) -> None:
    c = db.users
    c.create_index("email", unique=True)
    c.insert_one({"email": "a@x"})
    with pytest.raises(DuplicateKeyError) as err:
        c.insert_one({"email": "a@x"})
    assert err.value.code == 11000
    c.insert_one({"_id": "u2", "email": "b@x"})
    with pytest.raises(DuplicateKeyError):
        c.update_one({"_id": "u2"}, {"$set": {"email": "a@x"}})


def test_bulk_write_counts_matches_over_its_statements_and_upserts_insert_only(
        db: Database[Any]) -> None:
    """The relay and the counters settle many documents in one command (one `update` with
    several statements): the matched count is over all of them, a conditional statement
    that misses counts nothing, and `$setOnInsert` upserts keep the first copy."""
    coll = db.bulk
    coll.insert_many([{"_id": f"d{i}", "version": i, "pending": True} for i in range(4)])
    cleared = coll.bulk_write([UpdateOne({"_id": f"d{i}", "version": 9 if i == 2 else i},
                                         {"$set": {"pending": False, "outbox": []}})
                               for i in range(4)], ordered=False)
    assert cleared.matched_count == 3
    assert ids(coll.find({"pending": True})) == ["d2"]
    moves = [UpdateOne({"_id": f"h{i}"}, {"$setOnInsert": {"text": "first"}}, upsert=True)
             for i in range(3)]
    assert coll.bulk_write(moves, ordered=False).upserted_count == 3
    again = [UpdateOne({"_id": f"h{i}"}, {"$setOnInsert": {"text": "again"}}, upsert=True)
             for i in range(2, 4)]
    coll.bulk_write(again, ordered=False)
    assert {d["_id"]: d["text"] for d in coll.find({"text": {"$exists": True}})} == {
        "h0": "first", "h1": "first", "h2": "first", "h3": "again"}


def test_compound_unique_index(db: Database[Any]) -> None:
    c = db.votes
    c.create_index([("poll", ASCENDING), ("voter", ASCENDING)], unique=True)
    c.insert_many([{"poll": "p1", "voter": "v1"}, {"poll": "p1", "voter": "v2"},
                   {"poll": "p2", "voter": "v1"}])
    with pytest.raises(DuplicateKeyError) as err:
        c.insert_one({"poll": "p1", "voter": "v1"})
    assert err.value.code == 11000


def test_sparse_unique_index_admits_many_documents_without_the_field(db: Database[Any]) -> None:
    c = db.users
    c.create_index("phone", unique=True, sparse=True)
    c.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3, "phone": "1"}])
    with pytest.raises(DuplicateKeyError):
        c.insert_one({"_id": 4, "phone": "1"})


def test_ttl_index_is_accepted(db: Database[Any]) -> None:
    name = db.sessions.create_index("expires_at", expireAfterSeconds=3600)
    assert name == "expires_at_1"
    ttl = [i for i in db.sessions.index_information().values() if "expireAfterSeconds" in i]
    assert [(i["key"], i["expireAfterSeconds"]) for i in ttl] == [([("expires_at", 1)], 3600)]


# --- aggregation ------------------------------------------------------------------------


def test_aggregation_match_group_sort_count_limit_project(db: Database[Any]) -> None:
    c = db.items
    c.insert_many([{"_id": i, "kind": "ab"[i % 2], "pts": i} for i in range(6)])
    grouped = list(c.aggregate([
        {"$match": {"pts": {"$gte": 1}}},
        {"$group": {"_id": "$kind", "n": {"$sum": 1}, "total": {"$sum": "$pts"},
                    "avg": {"$avg": "$pts"}, "hi": {"$max": "$pts"}, "lo": {"$min": "$pts"}}},
        {"$sort": {"_id": 1}},
    ]))
    assert grouped == [{"_id": "a", "n": 2, "total": 6, "avg": 3.0, "hi": 4, "lo": 2},
                       {"_id": "b", "n": 3, "total": 9, "avg": 3.0, "hi": 5, "lo": 1}]
    assert list(c.aggregate([{"$match": {"kind": "a"}}, {"$count": "n"}])) == [{"n": 3}]
    top = c.aggregate([{"$sort": {"pts": -1}}, {"$skip": 1}, {"$limit": 2},
                       {"$project": {"pts": 1, "_id": 0}}])
    assert list(top) == [{"pts": 4}, {"pts": 3}]
    ranked = c.aggregate([{"$group": {"_id": "$kind", "n": {"$sum": 1}}},
                          {"$sort": {"n": -1, "_id": 1}}, {"$limit": 1}])
    assert list(ranked) == [{"_id": "a", "n": 3}]


# --- GridFS -----------------------------------------------------------------------------


def test_gridfs_put_get_find_delete(db: Database[Any]) -> None:
    fs = gridfs.GridFS(db)
    photo = bytes(range(256)) * 2000  # 512 KB: several chunks
    fid = fs.put(photo, filename="p.jpg", metadata={"report": "r1"})
    got = fs.get(fid)
    assert (got.read(), got.filename, got.metadata, got.length) == (
        photo, "p.jpg", {"report": "r1"}, len(photo))
    assert [f.filename for f in fs.find({"metadata.report": "r1"})] == ["p.jpg"]
    fs.delete(fid)
    assert not fs.exists(fid)
    with pytest.raises(gridfs.errors.NoFile):
        fs.get(fid)
    bucket = gridfs.GridFSBucket(db, bucket_name="photos")
    bid = bucket.upload_from_stream("q.png", b"png" * 1000)
    assert bucket.open_download_stream(bid).read() == b"png" * 1000
    bucket.delete(bid)


# --- mongoengine ------------------------------------------------------------------------


def member(**kw: Any) -> ConfMember:
    return ConfMember(**{"id": "m1", "email": "a@x", "community": "c1", "number": 1, **kw})


def test_mongoengine_save_condition_raises_on_stale_version(me_db: Database[Any]) -> None:
    member(version=1).save(force_insert=True)
    a, b = ConfMember.objects.get(id="m1"), ConfMember.objects.get(id="m1")
    a.version, b.version = 2, 2
    a.save(save_condition={"version": 1})
    with pytest.raises(SaveConditionError):
        b.save(save_condition={"version": 1})
    assert ConfMember.objects.get(id="m1").version == 2


def test_mongoengine_unique_indexes_raise_not_unique(me_db: Database[Any]) -> None:
    ConfMember.ensure_indexes()
    ConfMember.ensure_indexes()  # idempotent, as every container start runs it
    member().save(force_insert=True)
    with pytest.raises(NotUniqueError):
        member(id="m2", number=2).save(force_insert=True)  # same email
    with pytest.raises(NotUniqueError):
        member(id="m3", email="c@x").save(force_insert=True)  # same (community, number)


def test_mongoengine_boolean_and_datetime_fields_read_back_typed(me_db: Database[Any]) -> None:
    member(joined_at=datetime(2024, 1, 1, 1, 1, 1, 123456, tzinfo=UTC)).save(force_insert=True)
    m = ConfMember.objects.get(id="m1")
    m.active = True
    m.save()
    m = ConfMember.objects.get(id="m1")
    assert m.active is True
    assert m.joined_at == datetime(2024, 1, 1, 1, 1, 1, 123000, tzinfo=UTC)
    assert ConfMember.objects(active=True).count() == 1
    assert ConfMember.objects(active=False).count() == 0


def test_aggregate_commit_and_outbox_round_trip(me_db: Database[Any]) -> None:
    """Aggregate.record writes the outbox whole; commit is conditional on version."""
    led = ConfLedger(id="l1", balance=5)
    led.record(noted(1))
    led.commit()
    a, b = ConfLedger.objects.get(id="l1"), ConfLedger.objects.get(id="l1")
    a.balance = 6
    a.record(noted(2))
    a.commit()
    b.balance = 7
    with pytest.raises(StaleWrite):
        b.commit()
    raw = me_db.ledgers.find_one({"_id": "l1"})
    assert (raw["version"], raw["balance"]) == (2, 6)
    assert [e["payload"] for e in raw["outbox"]] == [{"n": 1}, {"n": 2}]
    assert all(isinstance(e, dict) for e in raw["outbox"])
    assert ConfLedger.objects(outbox_pending=True).count() == 1
    c: Collection[Any] = me_db.ledgers
    c.update_one({"_id": "l1"}, {"$pull": {"outbox": {"id": {"$in": [raw["outbox"][0]["id"]]}}}})
    assert [e["payload"] for e in ConfLedger.objects.get(id="l1").outbox] == [{"n": 2}]
