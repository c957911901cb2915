"""Writing a notification: one insert per source event and audience through the commit
frame (its audience's counter moves with it, exactly once), then for a person the outbound
deliveries their preferences ask for (each `_id` unique per event, person and channel).
A redelivered event finds the notification by `_id` and re-ensures its deliveries."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from mongoengine.errors import NotUniqueError

from services.common import paging
from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.notify import OUTBOUND, NotificationKind
from services.notify import domain
from services.notify.channels import Channels
from services.notify.models import Delivery, Notification, Preference


@dataclass(frozen=True)
class Spec:
    """What to tell an audience, and the event (or reminder) it comes from."""

    source: str
    audience: str
    kind: NotificationKind
    ref: str
    title: str
    body: str
    community_id: str | None
    occurred_ts: float  # the event's time: a person's deliveries go out in this order


def post(spec: Spec, channels: Channels, who: Caller | None = None) -> Notification:
    nid = domain.notification_id(spec.source, spec.audience)

    def load() -> Notification:
        return Notification.objects(id=nid).first() or Notification(
            id=nid, audience=spec.audience, kind=spec.kind.value, ref=spec.ref,
            title=spec.title, body=spec.body, community_id=spec.community_id,
            source=spec.source, created_ts=time.time())

    def decide(doc: Notification, now: object) -> Decision | None:
        return Decision() if doc._created else None  # there already: a redelivery

    def derive(doc: Notification) -> None:
        doc.page_key = paging.page_key(doc.audience, doc.created_ts, doc.id)

    done = change(load, decide, who or Caller.system(), derive=derive)
    if spec.audience.startswith("u:"):
        deliver(done.doc, spec, channels)
    return done.doc


def wanted(user_id: str, kind: NotificationKind) -> list[str]:
    pref = Preference.objects(id=user_id).first()
    chosen = (pref.channels or {}).get(kind.value, []) if pref else []
    return [c for c in chosen if c in {o.value for o in OUTBOUND}]


def deliver(doc: Notification, spec: Spec, channels: Channels) -> list[str]:
    """The person's outbound deliveries of `doc` (those whose channel is configured)."""
    user_id = spec.audience.removeprefix("u:")
    made = []
    for channel in wanted(user_id, spec.kind):
        if not channels.has(channel):
            continue  # no gateway for it in this district: in-app only
        delivery_id = f"{doc.id}:{channel}"
        lane = f"{user_id}:{channel}"
        with contextlib.suppress(NotUniqueError):  # made before a crash or a redelivery
            Delivery(id=delivery_id, notification_id=doc.id, recipient=user_id,
                     channel=channel, created_ts=time.time(), next_ts=time.time(),
                     lane_key=paging.page_key(lane, spec.occurred_ts, delivery_id),
                     payload={"id": doc.id, "kind": doc.kind, "ref": doc.ref,
                              "title": doc.title, "body": doc.body, "user_id": user_id,
                              "channel": channel, "community_id": doc.community_id,
                              "occurred_ts": spec.occurred_ts}).save(force_insert=True)
        made.append(delivery_id)
    return made
