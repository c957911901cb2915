"""STORE-CONFORMANCE, part 2: where nx-27017 0.8.1 diverges from MongoDB 7.

Each test asserts the quirk on nx (so we notice when a release fixes it) and the
MongoDB 7 behaviour otherwise. docs/store.md says how service code avoids each one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import gridfs
import mongoengine as me
import pytest
from bson import ObjectId
from pymongo import MongoClient, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

from tests.store.conftest import ME_ALIAS

T0 = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def ids(cursor: Any) -> list[Any]:
    return sorted(d["_id"] for d in cursor)


def test_server_detection(client: MongoClient[Any], nx: bool) -> None:
    info = client.server_info()
    if nx:
        assert info.get("version") is None  # {"ok": 1, "result": []}
        assert client.admin.command("serverStatus")["process"] == "nx_27017"
    else:
        assert info["version"].startswith("7.")


def test_push_of_a_subdocument_turns_the_array_into_json_strings(db: Database[Any],
                                                                 nx: bool) -> None:
    c = db.items
    c.insert_one({"_id": 1, "subs": [{"n": 1}], "tags": ["a"]})
    c.update_one({"_id": 1}, {"$push": {"subs": {"n": 2}}})
    c.update_one({"_id": 1}, {"$push": {"tags": "b"}})
    got = c.find_one({"_id": 1})
    assert got["tags"] == ["a", "b"]  # scalars are fine
    if nx:  # the pushed element AND those already there become JSON text
        assert got["subs"] == ['{"n":1}', '{"n":2}']
    else:
        assert got["subs"] == [{"n": 1}, {"n": 2}]


def test_add_to_set_on_a_missing_field(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_one({"_id": 1})
    c.update_one({"_id": 1}, {"$addToSet": {"tags": "a"}})
    assert c.find_one({"_id": 1}).get("tags") == (None if nx else ["a"])


def test_find_one_and_update_upsert_ignores_set_on_insert(db: Database[Any], nx: bool) -> None:
    got = db.items.find_one_and_update(
        {"key": "k"}, {"$set": {"seen": 1}, "$setOnInsert": {"created": T0}},
        upsert=True, return_document=ReturnDocument.AFTER, projection={"_id": 0})
    assert got == ({"key": "k", "seen": 1} if nx else {"key": "k", "seen": 1, "created": T0})


def test_set_of_a_boolean_stores_an_integer(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "flag": False}, {"_id": 2, "flag": False}])
    c.update_one({"_id": 1}, {"$set": {"flag": True}})
    c.update_one({"_id": 2}, {"$set": {"flag": False}})
    one, two = c.find_one({"_id": 1})["flag"], c.find_one({"_id": 2})["flag"]
    if nx:
        assert (type(one), one, type(two), two) == (int, 1, int, 0)
    else:
        assert (one, two) == (True, False) and type(one) is bool
    assert ids(c.find({"flag": True})) == [1]  # queries by value match either way
    assert ids(c.find({"flag": False})) == [2]
    assert c.count_documents({"flag": True}) == 1


def test_array_existence_queries(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "arr": [{"f": 1}]}, {"_id": 2, "arr": []}, {"_id": 3}])
    got = [ids(c.find({"arr.0": {"$exists": True}})),
           ids(c.find({"arr": {"$ne": []}})),
           ids(c.find({"arr.f": {"$exists": True}}))]
    assert got == ([[], [1, 2, 3], []] if nx else [[1], [1, 3], [1]])


def test_not_operator(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "n": 1}, {"_id": 2, "n": 2}, {"_id": 3}])
    if nx:
        with pytest.raises(OperationFailure, match=r"\$not"):
            list(c.find({"n": {"$not": {"$gte": 2}}}))
    else:
        assert ids(c.find({"n": {"$not": {"$gte": 2}}})) == [1, 3]


def test_set_by_array_index_or_array_filter_does_nothing(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_one({"_id": 1, "subs": [{"id": "x", "f": 0}, {"id": "y", "f": 0}]})
    by_index = c.update_one({"_id": 1}, {"$set": {"subs.0.f": 7}})
    c.update_one({"_id": 1}, {"$set": {"subs.$[e].f": 8}}, array_filters=[{"e.id": "y"}])
    subs = c.find_one({"_id": 1})["subs"]
    if nx:  # reported as matched, silently not applied
        assert by_index.matched_count == 1
        assert subs == [{"id": "x", "f": 0}, {"id": "y", "f": 0}]
    else:
        assert subs == [{"id": "x", "f": 7}, {"id": "y", "f": 8}]


class ConfTask(me.EmbeddedDocument):
    name = me.StringField()
    done = me.BooleanField(default=False)


class ConfBoard(me.Document):
    meta = {"db_alias": ME_ALIAS, "collection": "boards"}
    id = me.StringField(primary_key=True)
    tasks = me.ListField(me.EmbeddedDocumentField(ConfTask))


def test_mongoengine_edit_inside_a_list_element_is_lost(me_db: Database[Any], nx: bool) -> None:
    """mongoengine saves `tasks[0].done = True` as `$set: {"tasks.0.done": true}`."""
    ConfBoard(id="b1", tasks=[ConfTask(name="a"), ConfTask(name="b")]).save(force_insert=True)
    b = ConfBoard.objects.get(id="b1")
    b.tasks[0].done = True
    b.save()
    assert ConfBoard.objects.get(id="b1").tasks[0].done is (not nx)
    b = ConfBoard.objects.get(id="b1")
    b.tasks = [ConfTask(name=t.name, done=True) for t in b.tasks]  # whole list: works on both
    b.save()
    assert [t.done for t in ConfBoard.objects.get(id="b1").tasks] == [True, True]


def test_sum_of_a_missing_field(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "k": "a", "p": 2}, {"_id": 2, "k": "a"}, {"_id": 3, "k": "b"}])
    got = list(c.aggregate([{"$group": {"_id": "$k", "s": {"$sum": "$p"}}}, {"$sort": {"_id": 1}}]))
    assert got == [{"_id": "a", "s": 2}, {"_id": "b", "s": None if nx else 0}]


def test_transaction_writes_are_visible_before_commit(client: MongoClient[Any],
                                                      db: Database[Any], nx: bool) -> None:
    if not nx and not (client.admin.command("hello").get("setName")
                       or client.admin.command("hello").get("msg") == "isdbgrid"):
        pytest.skip("transactions need a replica set or mongos")
    c = db.items
    c.insert_one({"_id": 1, "n": 0})
    with client.start_session() as s, s.start_transaction():
        c.update_one({"_id": 1}, {"$inc": {"n": 1}}, session=s)
        outside = c.find_one({"_id": 1})["n"]
        s.abort_transaction()
    assert outside == (1 if nx else 0)  # nx: no isolation (dirty read)
    assert c.find_one({"_id": 1})["n"] == 0  # abort rolls back on both


# --- found while writing the conformance suite ------------------------------------------


def test_unique_index_admits_many_documents_missing_the_field(db: Database[Any],
                                                              nx: bool) -> None:
    c = db.users
    c.create_index("email", unique=True)
    c.insert_one({"_id": 1})
    if nx:  # missing and null are SQL NULL: never equal to each other
        c.insert_many([{"_id": 2}, {"_id": 3, "email": None}, {"_id": 4, "email": None}])
    else:
        with pytest.raises(DuplicateKeyError):
            c.insert_one({"_id": 2})


def test_partial_index_filter_is_ignored(db: Database[Any], nx: bool) -> None:
    c = db.users
    c.create_index("handle", unique=True, partialFilterExpression={"active": True})
    c.insert_one({"handle": "h", "active": True})
    if nx:  # enforced on every document
        with pytest.raises(DuplicateKeyError):
            c.insert_one({"handle": "h", "active": False})
    else:
        c.insert_one({"handle": "h", "active": False})
        with pytest.raises(DuplicateKeyError):
            c.insert_one({"handle": "h", "active": True})


def test_index_names_are_the_stores_own(db: Database[Any], nx: bool) -> None:
    assert db.users.create_index("handle", name="by_handle") == "by_handle"
    names = set(db.users.index_information())
    assert names == ({"_id_", "idx_users_handle"} if nx else {"_id_", "by_handle"})


def test_operators_on_fields_inside_arrays_of_subdocuments(db: Database[Any], nx: bool) -> None:
    """Only equality (`subs.id: v`) and `$elemMatch` with equality/ranges work on nx."""
    c = db.items
    c.insert_many([{"_id": 1, "subs": [{"id": "x", "n": 1}, {"id": "y", "n": 5}]},
                   {"_id": 2, "subs": [{"id": "z", "n": 3}]}, {"_id": 3}])
    got = [ids(c.find({"subs.id": {"$in": ["x", "z"]}})),
           ids(c.find({"subs.id": {"$ne": "x"}})),
           ids(c.find({"subs.id": {"$nin": ["x"]}})),
           ids(c.find({"subs.n": {"$gt": 4}})),
           ids(c.find({"subs": {"$elemMatch": {"id": {"$in": ["x", "y"]}}}})),
           ids(c.find({"subs.0.id": "x"}))]
    if nx:
        assert got == [[], [1, 2, 3], [1, 2, 3], [], [], []]
    else:
        assert got == [[1, 2], [2, 3], [2, 3], [1], [1], [1]]


def test_ne_and_index_paths_on_scalar_arrays(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_many([{"_id": 1, "tags": ["a", "b"]}, {"_id": 2, "tags": ["c"]}, {"_id": 3}])
    if nx:
        assert ids(c.find({"tags": {"$ne": "a"}})) == [1, 2, 3]
        with pytest.raises(OperationFailure, match="malformed JSON"):
            list(c.find({"tags.0": "a"}))
    else:
        assert ids(c.find({"tags": {"$ne": "a"}})) == [2, 3]
        assert ids(c.find({"tags.0": "a"})) == [1]


def test_object_id_and_uuid_values(db: Database[Any], nx: bool) -> None:
    c = db.items
    owner, token = ObjectId(), uuid.uuid4()
    c.insert_many([{"_id": 1, "owner": owner, "token": token}, {"_id": 2, "owner": ObjectId()}])
    oid = c.insert_one({"x": 1}).inserted_id
    assert ids(c.find({"owner": {"$in": [owner]}})) == [1]  # works on both
    assert len(list(c.find({"_id": oid}))) == 1  # works on both
    got = [ids(c.find({"owner": owner})), c.count_documents({"_id": oid}),
           c.count_documents({"owner": {"$in": [owner]}}), ids(c.find({"token": token})),
           type(c.find_one({"_id": 1})["token"])]
    if nx:
        assert got == [[], 0, 0, [], bytes]
    else:
        assert got == [[1], 1, 1, [1], uuid.UUID]


def test_aggregation_values_come_back_as_internal_text(db: Database[Any], nx: bool) -> None:
    c = db.items
    owner = ObjectId()
    c.insert_many([{"_id": i, "owner": owner, "k": "a", "at": T0 + timedelta(days=i)}
                   for i in range(3)])
    by_owner = list(c.aggregate([{"$group": {"_id": "$owner", "n": {"$sum": 1}}}]))
    latest = list(c.aggregate([{"$group": {"_id": None, "last": {"$max": "$at"}}}]))
    projected = list(c.aggregate([{"$match": {"_id": 1}}, {"$project": {"k": 1}}]))
    compound = list(c.aggregate([{"$match": {"_id": 1}},
                                 {"$group": {"_id": {"k": "$k"}, "n": {"$sum": 1}}}]))
    if nx:
        assert by_owner == [{"_id": f'{{"__neosqlite_objectid__":true,"id":"{owner}"}}', "n": 3}]
        assert latest[0]["last"] == '{"$date":"2024-03-03T08:30:00"}'
        assert projected == [{"_id": "1", "k": "a"}]  # _id stringified
        assert compound == [{"_id": {"k": "$k"}, "n": 1}]  # key expression not evaluated
        assert list(c.aggregate([{"$match": {"owner": owner}}])) == []
        with pytest.raises(OperationFailure, match="ObjectId"):  # cannot bind an ObjectId
            list(c.aggregate([{"$match": {"owner": owner}}, {"$count": "n"}]))
    else:
        assert by_owner == [{"_id": owner, "n": 3}]
        assert latest[0]["last"] == T0 + timedelta(days=2)
        assert projected == [{"_id": 1, "k": "a"}]
        assert compound == [{"_id": {"k": "a"}, "n": 1}]
        assert len(list(c.aggregate([{"$match": {"owner": owner}}]))) == 3


def test_aggregation_match_on_datetimes(db: Database[Any], nx: bool) -> None:
    c = db.items
    c.insert_many([{"_id": i, "at": T0 + timedelta(days=i)} for i in range(5)])
    cut = T0 + timedelta(days=2)
    after = list(c.aggregate([{"$match": {"at": {"$gte": cut}}}, {"$count": "n"}]))
    before = list(c.aggregate([{"$match": {"at": {"$lt": cut}}}, {"$count": "n"}]))
    assert c.count_documents({"at": {"$gte": cut}}) == 3  # count_documents is right on both
    none = list(c.aggregate([{"$match": {"_id": {"$gt": 9}}}, {"$count": "n"}]))
    if nx:  # every date compares as "after"; $count of nothing is {n: 0}
        assert (after, before, none) == ([{"n": 5}], [{"n": 0}], [{"n": 0}])
    else:
        assert (after, before, none) == ([{"n": 3}], [{"n": 2}], [])


def test_gridfs_files_collection_is_not_a_collection(db: Database[Any], nx: bool) -> None:
    fs = gridfs.GridFS(db)
    fid = fs.put(b"jpeg", filename="p.jpg")
    uploaded = fs.get(fid).upload_date
    if nx:
        assert isinstance(uploaded, str)
        with pytest.raises(OperationFailure):
            db.fs.files.count_documents({})
        with pytest.raises(OperationFailure, match="Invalid identifier"):
            db["reports.archive"].insert_one({"x": 1})
    else:
        assert isinstance(uploaded, datetime)
        assert db.fs.files.count_documents({}) == 1
        db["reports.archive"].insert_one({"x": 1})


def test_set_of_a_datetime_stores_naive_text(db: Database[Any], nx: bool) -> None:
    """An inserted datetime stays a date; one written by `$set` (every mongoengine update) not."""
    db.dates.insert_one({"_id": "inserted", "at": T0})
    db.dates.insert_one({"_id": "updated"})
    db.dates.update_one({"_id": "updated"}, {"$set": {"at": T0}})
    assert isinstance(db.dates.find_one({"_id": "inserted"})["at"], datetime)
    stored = db.dates.find_one({"_id": "updated"})["at"]
    if nx:
        assert stored == "2024-03-01 08:30:00"
    else:
        assert stored == T0.replace(tzinfo=None) or stored == T0


def test_find_by_equality_through_an_index_on_an_array_field(db: Database[Any], nx: bool) -> None:
    """Multikey indexes: equality finds nothing once the array field is indexed."""
    db.tagged.insert_one({"_id": "x", "tags": ["a", "b"]})
    db.tagged.create_index("tags")
    db.tagged.insert_one({"_id": "y", "tags": ["a"]})
    assert ids(db.tagged.find({"tags": {"$in": ["a"]}})) == ["x", "y"]
    found = ids(db.tagged.find({"tags": "a"}))
    assert found == ([] if nx else ["x", "y"])


def test_upsert_with_a_dotted_inc_stores_the_literal_key(db: Database[Any], nx: bool) -> None:
    c = db.dotted_upsert
    c.update_one({"_id": 1}, {"$inc": {"by.day": 1}}, upsert=True)
    got = c.find_one({"_id": 1})
    if nx:
        assert got.get("by.day") == 1 and "by" not in got
    else:
        assert got["by"] == {"day": 1}
    c.insert_one({"_id": 2})  # the pattern that holds on both: insert, then update
    c.update_one({"_id": 2}, {"$inc": {"by.day": 1}})
    assert c.find_one({"_id": 2})["by"] == {"day": 1}
