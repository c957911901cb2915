"""An issue written by intake and the event it implies survive a crash between the two.

Intake runs as a real process; it is SIGKILLed after the issue is stored and
before its outbox relay publishes `issue.received`. After a restart the event
reaches a consumer exactly once, and the issue itself was never lost.
"""

from __future__ import annotations

import time

import mongoengine as me
import pymongo
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from deploy.waits import wait_until
from services.common.caller import Caller, Role
from services.common.inbox import handles
from services.common.store import Store
from tests.common.processes import ServiceProcess

INTAKE = "services.intake.service:IntakeService"


class Received(me.Document):
    meta = {"db_alias": "issue_watch", "collection": "received"}
    event_id = me.StringField(required=True)
    issue_id = me.StringField(required=True)


class IssueWatch:
    """Stands in for any downstream service consuming intake's events."""

    name = "issue_watch"
    store = Store("issue_watch", [Received])

    @handles("intake", "issue.received")
    def on_issue_received(self, envelope) -> None:
        Received(event_id=envelope.id, issue_id=envelope.parsed().issue_id).save()


def _received(issue_id: str) -> list[Received]:
    return list(Received.objects(issue_id=issue_id))


@pytest.fixture
def watch(platform, container_factory):
    platform.start()  # identity, which intake asks for the community
    container_factory(IssueWatch, platform.config).start()


def test_an_issue_stored_before_a_crash_is_announced_once_after_restart(platform, watch,
                                                                         tmp_path):
    resident = platform.user("resident")
    caller = Caller(user_id=resident["id"], role=Role.resident,
                    district_id=resident["district_id"], street_id=resident["street_id"],
                    community_id=resident["community_id"]).model_dump(mode="json")
    report = {"community_id": platform.community_id(), "category": "street_lighting",
              "description": "路灯不亮 street light out at the east gate",
              "location": {"lat": 39.9042, "lng": 116.4074}, "channel": "app"}
    # Publishing only on an hourly poll: the kill surely falls between write and publish.
    crashing = ServiceProcess(INTAKE, platform.config, tmp_path, "intake",
                              outbox_wake_on_write="false", outbox_poll_seconds=3600).start()
    with ServiceRpcProxy("intake", platform.config) as intake:
        crashing.wait_ready(lambda: intake.list_categories(caller, platform.community_id()))
        time.sleep(0.5)  # past the relay's start-up flush
        issue = intake.submit_issue(caller, report)
    crashing.kill()
    time.sleep(1.0)
    assert _received(issue["id"]) == []

    restarted = ServiceProcess(INTAKE, platform.config, tmp_path, "intake").start()
    try:
        with ServiceRpcProxy("intake", platform.config) as intake:
            restarted.wait_ready(lambda: intake.get_issue(caller, issue["id"]))
            assert intake.get_issue(caller, issue["id"])["state"] == issue["state"]
        assert wait_until(lambda: bool(_received(issue["id"])), timeout=15, every=0.1)
        time.sleep(1.5)  # room for a duplicate to arrive, if there were one
        assert len(_received(issue["id"])) == 1
    finally:
        restarted.stop()


def test_a_state_change_stored_before_a_crash_finds_its_timeline_entry_after_restart(
        platform, tmp_path):
    """The timeline entry rides in the issue's own write (the commit frame); the relay moves
    it into the timeline collection, after a crash too."""
    platform.start()
    tenancy = platform.tenancy()
    admin = Caller(user_id="u-admin", role=Role.community_admin,
                   district_id=tenancy.district["id"], street_id=tenancy.streets["A"]["id"],
                   community_id=platform.community_id()).model_dump(mode="json")
    report = {"community_id": platform.community_id(), "category": "street_lighting",
              "description": "路灯不亮 street light out at the west gate",
              "location": {"lat": 39.9042, "lng": 116.4074}, "channel": "visit"}
    timeline = pymongo.MongoClient(platform.settings.mongo_uri)[
        platform.settings.db_name("intake")]["timeline"]
    crashing = ServiceProcess(INTAKE, platform.config, tmp_path, "intake",
                              outbox_wake_on_write="false", outbox_poll_seconds=3600).start()
    with ServiceRpcProxy("intake", platform.config) as intake:
        crashing.wait_ready(lambda: intake.list_categories(admin, platform.community_id()))
        time.sleep(0.5)  # past the relay's start-up flush
        issue = intake.submit_issue(admin, report)
        triaged = intake.triage_issue(admin, issue["id"], {})
    crashing.kill()
    assert triaged["state"] == "triaged"
    assert list(timeline.find({"issue_id": issue["id"]})) == []  # not moved before the kill

    restarted = ServiceProcess(INTAKE, platform.config, tmp_path, "intake").start()
    try:
        def moved() -> list[str]:
            rows = timeline.find({"issue_id": issue["id"]})
            return sorted(row["state"] for row in rows)

        assert wait_until(lambda: moved() == ["received", "triaged"], timeout=15, every=0.2)
        with ServiceRpcProxy("intake", platform.config) as intake:
            steps = intake.get_timeline(admin, issue["id"])
        assert [s["state"] for s in steps["items"]] == ["received", "triaged"]
    finally:
        restarted.stop()
