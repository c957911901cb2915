"""An expiry passing while points is down releases once, with two replicas after a restart.

Points runs here as real `nameko run` processes so that one can be killed (-9) while a
code's deadline passes and then two replicas started together."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.common.errors import DomainError
from tests.common.processes import ServiceProcess
from tests.points import helpers

SERVICE = "services.points.service:PointsService"


@contextmanager
def replica(platform, root: Path, name: str) -> Iterator[ServiceProcess]:
    process = ServiceProcess(SERVICE, platform.config, root, name, scheduler_poll_seconds=0.2,
                             outbox_poll_seconds=0.2).start()
    try:
        with platform.rpc() as rpc:
            process.wait_ready(lambda: _answers(rpc))
        yield process
    finally:
        process.kill()


def _answers(rpc) -> None:  # noqa: ANN001
    """Any reply, a refusal included, means the replica serves."""
    with contextlib.suppress(DomainError):
        rpc.points.get_offer({"user_id": "probe", "role": "system", "district_id": "*"}, "x")


def test_an_expiry_missed_while_down_releases_exactly_once_with_two_replicas(platform,
                                                                             tmp_path):
    platform.start()  # identity and the gateway; points runs as processes below
    platform.tenancy()
    with replica(platform, tmp_path, "points-1") as first:
        world = helpers.build(platform)
        world.db()["policies"].update_one({"_id": platform.community_id("A")},
                                          {"$set": {"redemption_ttl_seconds": 3.0}},
                                          upsert=True)
        offer = helpers.offer(world, price=8, stock=1)
        _, headers = helpers.resident(world, 8)
        made = platform.client.post("/points/redemptions", headers=headers,
                                    json={"offer_id": offer["id"]})
        assert made.status_code == 201, made.text
        first.kill()
    redemptions = world.db()["redemptions"]
    doc = redemptions.find_one({"_id": made.json()["id"]})
    time.sleep(max(0.0, doc["expires_ts"] + 1.0 - time.time()))
    assert redemptions.find_one({"_id": doc["_id"]})["state"] == "issued"  # nobody fired it

    with replica(platform, tmp_path, "points-1"), replica(platform, tmp_path, "points-2"):
        helpers.settled(world, doc["_id"], timeout=30)
        time.sleep(2.0)  # both replicas poll ten times more: nothing fires twice
        stored = redemptions.find_one({"_id": doc["_id"]})
        assert stored["state"] == "expired" and stored["settled"]
        assert helpers.balance(world, headers)["active"] == 8
        assert helpers.balance(world, headers)["locked"] == 0
        left = platform.client.get(f"/points/offers/{offer['id']}", headers=headers).json()
        assert left["stock"] == 1
    postings = world.db()["postings"]
    assert postings.count_documents({"source": doc["_id"], "reason": "release"}) == 1
    assert postings.count_documents({"source": doc["_id"], "reason": "lock"}) == 1
