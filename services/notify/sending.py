"""The deliveries' PollTimer: a range on the indexed `next_ts` with a limit (never a scan).
Each due delivery is claimed with a write conditional on its version (one replica wins; the
claim is a lease: a sender that dies mid-send leaves it to be tried again after it), sent
only when it is the oldest pending one of its person and channel (`lane_key`: order kept),
then marked sent, or given a later `next_ts` with exponential back-off, or given up after
`notify_max_attempts` (the next in its lane goes on)."""

from __future__ import annotations

import logging
import time

from services.common.config import Settings
from services.common.paging import AFTER_SEP, SEP
from services.notify import domain, metrics
from services.notify.channels import ChannelError, Channels
from services.notify.models import Delivery

log = logging.getLogger(__name__)
BATCH = 50
AFTER_HEAD = 0.001  # a delivery behind its lane's head is tried just after it


def _lane(lane_key: str) -> str:
    return lane_key.split(SEP, 1)[0]


def _update(delivery_id: str, version: int, fields: dict, unset: tuple[str, ...] = ()) -> bool:
    change: dict = {"$set": {**fields, "version": version + 1}}
    if unset:
        change["$unset"] = dict.fromkeys(unset, "")
    return bool(Delivery._get_collection().update_one(
        {"_id": delivery_id, "version": version, "state": "pending"}, change).matched_count)


def run_due(now: float, channels: Channels, settings: Settings) -> int:
    sent = 0
    due = list(Delivery.objects(next_ts__lte=now).order_by("next_ts").limit(BATCH))
    for d in due:
        try:
            sent += _one(d, channels, settings)
        except Exception:  # one bad delivery must not hold the others
            log.exception("delivery %s failed unexpectedly", d.id)
    return sent


def _one(d: Delivery, channels: Channels, settings: Settings) -> int:
    if d.state != "pending" or not d.lane_key:
        return 0
    head = (Delivery.objects(lane_key__gte=_lane(d.lane_key) + SEP, lane_key__lt=d.lane_key)
            .order_by("lane_key").only("id", "next_ts").first())
    now = time.time()
    if head is not None:  # an older one of this person and channel goes first
        _update(d.id, d.version, {"next_ts": max(head.next_ts or now, now) + AFTER_HEAD})
        return 0
    lease = now + 2 * settings.notify_webhook_timeout_seconds + 5
    if not _update(d.id, d.version, {"next_ts": lease}):
        return 0  # another replica claimed it
    claimed = d.version + 1
    if not channels.has(d.channel):
        return _give_up(d, claimed, "channel not configured")
    try:
        channels.get(d.channel).send(d.id, dict(d.payload))
    except ChannelError as exc:
        attempts = d.attempts + 1
        if attempts >= settings.notify_max_attempts:
            return _give_up(d, claimed, str(exc), attempts)
        wait = domain.backoff(attempts, settings.notify_retry_base_seconds,
                              settings.notify_retry_max_seconds)
        _update(d.id, claimed, {"attempts": attempts, "last_error": str(exc)[:300],
                                "next_ts": time.time() + wait})
        metrics.DELIVERIES.labels(d.channel, "retried").inc()
        return 0
    _update(d.id, claimed, {"state": "sent", "attempts": d.attempts + 1,
                            "sent_ts": time.time()}, unset=("next_ts", "lane_key"))
    metrics.DELIVERIES.labels(d.channel, "sent").inc()
    metrics.DELIVERY_LATENCY.observe(time.time() - d.created_ts)
    _wake_next(d)
    return 1


def _wake_next(d: Delivery) -> None:
    """The next of the lane waited behind this one's lease: it is due now (one ranged read
    on `lane_key`, one conditional write)."""
    lane = _lane(d.lane_key)
    nxt = (Delivery.objects(lane_key__gt=d.lane_key, lane_key__lt=lane + AFTER_SEP)
           .order_by("lane_key").only("id", "version", "next_ts").first())
    if nxt is not None and (nxt.next_ts or 0) > time.time():
        _update(nxt.id, nxt.version, {"next_ts": time.time()})


def _give_up(d: Delivery, claimed: int, why: str, attempts: int | None = None) -> int:
    _update(d.id, claimed, {"state": "failed", "attempts": attempts or d.attempts,
                            "last_error": why[:300]}, unset=("next_ts", "lane_key"))
    metrics.DELIVERIES.labels(d.channel, "failed").inc()
    log.warning("delivery %s given up: %s", d.id, why)
    _wake_next(d)
    return 0
