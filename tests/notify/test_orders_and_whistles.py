"""Dispatch's events to the unit, grid worker or member they name; the report-in deadline
near (notify's own reminder: dispatch publishes nothing before the deadline)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from deploy.waits import wait_until
from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderCreated,
    OrderWhistled,
    ReportInMissed,
    ReportInRecorded,
)
from services.notify.models import Reminder
from services.notify.reminders import reminder_id
from tests.dispatch.helpers import token_headers
from tests.notify.helpers import publish, tag


def _kinds(client, headers, ref: str) -> list[str]:  # noqa: ANN001
    items = client.get("/me/notifications", headers=headers).json()["items"]
    return sorted(n["kind"] for n in items if n["ref"] == ref)


def test_a_new_order_reaches_its_unit_and_grid_and_an_assignment_its_person(nplatform):
    client, a = nplatform.client, nplatform.community_id("A")
    order, unit, grid = f"o-{tag()}", f"dep-{tag()}", f"g-{tag()}"
    at = datetime.now(UTC)
    publish(nplatform, "dispatch", OrderCreated(
        order_id=order, community_id=a, level="grid", grid_id=grid, department_id=unit,
        summary="路面塌陷", response_due_at=at, resolution_due_at=at), a)
    police_a = token_headers(nplatform, "department", f"u-{tag()}", "A", department_id=unit)
    police_b = token_headers(nplatform, "department", f"u-{tag()}", "B", department_id=unit)
    worker = token_headers(nplatform, "grid_worker", f"u-{tag()}", "A", grid_id=grid)
    ref = f"order:{order}"
    assert wait_until(lambda: _kinds(client, police_a, ref) == ["order_assigned"], timeout=10,
                      every=0.1)
    assert wait_until(lambda: _kinds(client, worker, ref) == ["order_assigned"], timeout=10,
                      every=0.1)
    assert _kinds(client, police_b, ref) == []  # the same unit name in B is another unit

    member, claimer = f"u-m-{tag()}", f"u-c-{tag()}"
    publish(nplatform, "dispatch", OrderClaimed(order_id=order, community_id=a, level="grid",
                                                responder_id=member), a, actor="u-admin")
    publish(nplatform, "dispatch", OrderClaimed(order_id=order, community_id=a, level="grid",
                                                responder_id=claimer), a, actor=claimer)
    assigned = token_headers(nplatform, "volunteer", member, "A")
    assert wait_until(lambda: _kinds(client, assigned, ref) == ["order_assigned"], timeout=10,
                      every=0.1)
    time.sleep(0.5)
    assert _kinds(client, token_headers(nplatform, "volunteer", claimer, "A"), ref) == []


def test_a_whistle_summons_and_reminds_before_the_deadline_unless_reported_in(nplatform):
    client, a = nplatform.client, nplatform.community_id("A")
    order, unit, member = f"o-{tag()}", f"dep-{tag()}", f"u-m-{tag()}"
    ref = f"order:{order}"
    # the package's lead is an hour: a deadline 30 min away is near at once
    near = datetime.now(UTC) + timedelta(minutes=30)
    publish(nplatform, "dispatch", OrderWhistled(
        order_id=order, community_id=a, level="community", whistle_id=f"w-{tag()}",
        whistler_id="u-admin", departments=[unit], members=[member],
        report_in_due_at=near), a)
    police = token_headers(nplatform, "department", f"u-{tag()}", "A", department_id=unit)
    summoned = token_headers(nplatform, "volunteer", member, "A")
    for headers in (police, summoned):
        assert wait_until(lambda h=headers: _kinds(client, h, ref) == [
            "report_in_due", "whistled"], timeout=10, every=0.1)

    # a deadline two hours away is reminded in an hour; reporting in first cancels it
    later_order, whistle = f"o-{tag()}", f"w-{tag()}"
    publish(nplatform, "dispatch", OrderWhistled(
        order_id=later_order, community_id=a, level="community", whistle_id=whistle,
        whistler_id="u-admin", departments=[unit], members=[],
        report_in_due_at=datetime.now(UTC) + timedelta(hours=2)), a)
    rid = reminder_id(whistle, f"department:{unit}")
    assert wait_until(lambda: Reminder.objects(id=rid).first() is not None, timeout=10,
                      every=0.1)
    due = Reminder.objects(id=rid).first()
    assert due.state == "pending" and due.next_ts > time.time() + 3000
    publish(nplatform, "dispatch", ReportInRecorded(
        order_id=later_order, community_id=a, level="community", whistle_id=whistle,
        target=f"department:{unit}", late=False, latency_seconds=60.0), a)
    assert wait_until(lambda: Reminder.objects(id=rid).first().state == "reported",
                      timeout=10, every=0.1)
    assert Reminder.objects(id=rid).first().next_ts is None

    publish(nplatform, "dispatch", ReportInMissed(
        order_id=order, community_id=a, level="community", whistle_id="w-x",
        target=f"member:{member}", escalated_to="street"), a)
    assert wait_until(lambda: "report_in_missed" in _kinds(client, summoned, ref), timeout=10,
                      every=0.1)
