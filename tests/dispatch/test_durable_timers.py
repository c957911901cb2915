"""Durable timers: deadlines outlive the process, and two replicas fire each one once.

Dispatch runs here as real `nameko run` processes so that one can be killed
(-9) while a deadline passes and then restarted beside a second replica.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pymongo
from amqp.exceptions import NotFound as AmqpNotFound
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import UndeliverableMessage
from nameko.standalone.events import event_dispatcher

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import IssueTriaged
from tests.common.processes import ServiceProcess

SERVICE = "services.dispatch.service:DispatchService"


@contextmanager
def replica(platform, root: Path, name: str) -> Iterator[ServiceProcess]:
    process = ServiceProcess(SERVICE, platform.config, root, name, scheduler_poll_seconds=0.2,
                             outbox_poll_seconds=0.2).start()
    try:
        yield process
    finally:
        process.kill()


def triaged(platform, response_seconds: float) -> str:
    tenancy = platform.tenancy()
    community = tenancy.communities["A"]
    issue_id = f"i-timer-{time.monotonic_ns()}"
    event = new_event(IssueTriaged(
        issue_id=issue_id, community_id=community["id"], street_id=community["street_id"],
        district_id=tenancy.district["id"], category="water_pipe", route="community",
        issue_class="public", urgency="high", summary="水管爆裂",
        response_hours=response_seconds / 3600, resolution_hours=1.0),
        Caller.system(), community["id"])
    # Published once dispatch has bound its queue (until then the broker returns it).
    assert wait_until(lambda: _published(platform, event.to_message()), timeout=30, every=0.3)
    return f"o-{issue_id}"


def _published(platform, message: dict) -> bool:
    try:
        event_dispatcher(platform.config, mandatory=True)("intake", "issue.triaged", message)
    except (UndeliverableMessage, AmqpNotFound):  # no queue bound yet, or no exchange yet
        return False
    return True


def test_a_deadline_passing_while_dispatch_is_down_escalates_exactly_once_with_two_replicas(
        platform, tmp_path):
    platform.start()  # identity, for the tenancy's ids; dispatch runs as processes below
    db = pymongo.MongoClient(platform.config["LINLI"]["mongo_uri"], tz_aware=True)[
        f"{platform.config['LINLI']['db_prefix']}dispatch"]
    orders = db["orders"]
    with Connection(platform.config["AMQP_URI"]) as conn:
        escalations = Queue("test-order-escalated", Exchange("dispatch.events", type="topic",
                                                             durable=True),
                            routing_key="order.escalated", durable=False)
        escalations(conn.default_channel).declare()

        with replica(platform, tmp_path, "dispatch-1") as first:
            order_id = triaged(platform, response_seconds=3)
            assert wait_until(lambda: orders.find_one({"_id": order_id}) is not None,
                              timeout=30, every=0.1)
            order = orders.find_one({"_id": order_id})
            first.kill()
        due = order["response_due_at"]  # inserted: still a datetime
        time.sleep(max(0.0, due.timestamp() + 1.0 - time.time()))
        assert orders.find_one({"_id": order_id})["level"] == "community"  # nobody fired it

        with replica(platform, tmp_path, "dispatch-1"), replica(platform, tmp_path, "dispatch-2"):
            assert wait_until(lambda: orders.find_one({"_id": order_id})["level"] == "street",
                              timeout=30, every=0.1)
            time.sleep(2.0)  # both replicas poll ten times more: no second escalation
            stored = orders.find_one({"_id": order_id})

        # The history: lines the relay moved, and any still riding in the order (by id once).
        history = {line["_id"]: line for line in db["order_lines"].find(
            {"key": {"$gte": f"{order_id}|", "$lt": f"{order_id}}}"}})}
        history.update({line["id"]: line for line in stored.get("history_pending") or []})
        escalated = [t for t in history.values() if t["kind"] == "escalated"]
        assert len(escalated) == 1 and escalated[0]["from_level"] == "community"
        assert stored["breaches"] == [f"response:{due.isoformat()}"]
        published = []
        while (message := escalations(conn.default_channel).get(no_ack=True)) is not None:
            published.append(message.payload)
        # One escalation, one event id. The relay is at-least-once: both replicas' relays may
        # publish the same stored event before either removes it; consumers' inboxes drop the
        # copy by its id.
        assert len({m["id"] for m in published}) == 1
        assert {(m["payload"]["order_id"], m["payload"]["level"]) for m in published} == {
            (order_id, "street")}
