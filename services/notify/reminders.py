"""报到 deadline near: dispatch publishes `order.whistled` (with the deadline) and
`report_in.missed` after it, nothing before. Notify keeps its own reminder per target,
`next_ts` = deadline − lead (an indexed float), fired once by the PollTimer unless the
target reported in first (`report_in.recorded`)."""

from __future__ import annotations

import logging
import time

from services.common.caller import Caller
from services.common.contracts.notify import NotificationKind as K
from services.notify import domain, metrics
from services.notify.channels import Channels
from services.notify.models import Reminder
from services.notify.posting import Spec, post

log = logging.getLogger(__name__)
BATCH = 100


def reminder_id(whistle_id: str, target: str) -> str:
    return f"rm-{whistle_id}:{target}"


def schedule(whistle_id: str, target: str, order_id: str, community_id: str, due_ts: float,
             lead: float) -> None:
    """Upsert on `_id` with `$setOnInsert`: a redelivery, or a report-in that came first,
    keeps what is there."""
    Reminder._get_collection().update_one(
        {"_id": reminder_id(whistle_id, target)},
        {"$setOnInsert": {"order_id": order_id, "community_id": community_id,
                          "target": target, "due_ts": due_ts, "state": "pending",
                          "next_ts": max(due_ts - lead, time.time())}}, upsert=True)


def reported(whistle_id: str, target: str) -> None:
    """The target reported in (or missed it): no reminder. Made if absent (it may arrive
    before the whistle's event), so a late schedule finds it done."""
    Reminder._get_collection().update_one(
        {"_id": reminder_id(whistle_id, target)},
        {"$set": {"state": "reported"}, "$unset": {"next_ts": ""},
         "$setOnInsert": {"order_id": "", "community_id": "", "target": target,
                          "due_ts": 0.0}}, upsert=True)


def run_due(now: float, channels: Channels) -> int:
    fired = 0
    for r in Reminder.objects(next_ts__lte=now).order_by("next_ts").limit(BATCH):
        if r.state != "pending":
            continue
        try:
            due = domain.target_audience(r.community_id, r.target)
            text = domain.text(K.report_in_due, due=time.strftime(
                "%m-%d %H:%M", time.gmtime(r.due_ts + 8 * 3600)))
            # the notification first (idempotent by the reminder's id), then the claim: a
            # crash between writes the same notification again, never none
            post(Spec(source=r.id, audience=due, kind=K.report_in_due,
                      ref=f"order:{r.order_id}", title=text[0], body=text[1],
                      community_id=r.community_id, occurred_ts=now), channels, Caller.system())
            done = Reminder._get_collection().update_one(
                {"_id": r.id, "state": "pending"},
                {"$set": {"state": "fired"}, "$unset": {"next_ts": ""}})
            if done.modified_count:
                metrics.REMINDERS.inc()
                fired += 1
        except Exception:
            log.exception("reminder %s failed", r.id)
    return fired
