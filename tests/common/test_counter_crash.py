"""Counters are exact across a crash at any point of their fold (services/common/counters).

Intake runs as a real process and is SIGKILLed after an issue's commit (which carries its
counter difference) and before, or in the middle of, folding it into IssueCounts. The
restarted intake's relay poll folds what was left, once: the counter counts each stored
issue exactly once either way. On MongoDB 7 too (LINLI_TEST_MONGO_URI).
"""

from __future__ import annotations

import time

import pymongo
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from deploy.waits import wait_until
from services.common import counters
from services.common.caller import Caller, Role
from tests.common.processes import ServiceProcess

CRASHING = "tests.common.crash_points:IntakeService"
INTAKE = "services.intake.service:IntakeService"


@pytest.mark.parametrize("point", ["before_fold", "after_apply"])
def test_an_issue_is_counted_exactly_once_when_intake_dies_inside_the_fold(platform, tmp_path,
                                                                            point):
    platform.start()  # identity, which intake asks for the community
    resident = platform.user("resident")
    caller = Caller(user_id=resident["id"], role=Role.resident,
                    district_id=resident["district_id"], street_id=resident["street_id"],
                    community_id=resident["community_id"]).model_dump(mode="json")
    report = {"community_id": platform.community_id(), "category": "street_lighting",
              "description": "路灯不亮 street light out by the counter test",
              "location": {"lat": 39.9042, "lng": 116.4074}, "channel": "app"}
    db = pymongo.MongoClient(platform.settings.mongo_uri)[platform.settings.db_name("intake")]

    def received() -> int:
        return int((db.issue_counts.find_one({"_id": "*"}) or {}).get("received") or 0)

    crashing = ServiceProcess(CRASHING, platform.config, tmp_path, "intake",
                              test_crash_at=point).start()
    with ServiceRpcProxy("intake", platform.config) as intake:
        crashing.wait_ready(lambda: intake.list_categories(caller, platform.community_id()))
        intake.submit_issue.call_async(caller, report)  # its worker stops inside the fold
        assert wait_until(lambda: db.issues.find_one({"tally_open": True}) is not None,
                          timeout=20, every=0.1)
        if point == "after_apply":
            assert wait_until(lambda: received() == 1, timeout=10, every=0.1)
        time.sleep(0.3)
        crashing.kill()
    stuck = db.issues.find_one({"tally_open": True})
    assert stuck["state"] == "received" and len(stuck["tally_pending"]) == 1
    assert received() == (1 if point == "after_apply" else 0)

    restarted = ServiceProcess(INTAKE, platform.config, tmp_path, "intake",
                               counter_grace_seconds=0.5, outbox_poll_seconds=0.3).start()
    try:
        assert wait_until(lambda: db.issues.find_one({"_id": stuck["_id"]})["tally_open"]
                          in (False, 0), timeout=20, every=0.2)
        time.sleep(1.0)  # more polls: a second fold would show here
        # The killed worker's RPC is redelivered to the new process, which files the report
        # again: the counter must match what is stored, one per issue.
        assert received() == db.issues.count_documents({"state": "received"}) >= 1
        folded = db.issues.find_one({"_id": stuck["_id"]})
        assert folded["tally_pending"] == []
        assert stuck["tally_pending"][0]["id"] not in (
            db.issue_counts.find_one({"_id": "*"}).get("applied") or [])
    finally:
        restarted.stop()


def test_apply_once_moves_a_counter_once_per_entry_id(store_uri, db_prefix):
    coll = pymongo.MongoClient(store_uri)[f"{db_prefix}counters"]["tallies"]
    coll.insert_one({"_id": "legacy", "n": 5})  # a counter from before `applied` existed
    for scope in ("fresh", "legacy"):
        assert counters.apply_once(coll, scope, "a:1", {"n": 2})
        assert not counters.apply_once(coll, scope, "a:1", {"n": 2})  # the repair's replay
        assert counters.apply_once(coll, scope, "b:1", {"n": -1})
    assert coll.find_one({"_id": "fresh"})["n"] == 1
    assert coll.find_one({"_id": "legacy"})["n"] == 6
    assert counters.difference({"s": {"a": 1, "b": 2}}, {"s": {"a": 1, "c": 1}, "t": {"x": 0}}) \
        == {"s": {"b": -2, "c": 1}}
    pymongo.MongoClient(store_uri).drop_database(f"{db_prefix}counters")
