"""The inbox a person reads: their own notifications and their community's, unit's or
grid's, merged newest first. Each audience is one keyset range on `page_key` with a limit
(at most four per page); the cursor is "inbox:<user>|<created>|<id>", applied to each."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from services.common import paging
from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.notify import NotificationOut, NotificationQuery
from services.common.errors import NotFound
from services.notify import domain
from services.notify.models import AudienceCounts, Notification, Reader

FOLD_SCAN = 50  # notifications read above a watermark folded into it per write, at most


def scope(who: Caller) -> str:
    return f"inbox:{who.user_id}"


def marks(user_id: str) -> dict[str, Any]:
    reader = Reader.objects(id=user_id).first()
    return dict(reader.marks or {}) if reader else {}


def view(doc: Notification, mark: dict[str, Any]) -> NotificationOut:
    return NotificationOut(id=doc.id, kind=doc.kind, audience=domain.audience_name(doc.audience),
                           ref=doc.ref, title=doc.title, body=doc.body,
                           community_id=doc.community_id,
                           created_at=datetime.fromtimestamp(doc.created_ts, UTC),
                           read=domain.is_read(mark, doc.id, doc.created_ts))


def _tail(key: str) -> str:
    return key.split(paging.SEP, 1)[1]  # "<created>|<id>": comparable across audiences


def page(who: Caller, query: NotificationQuery) -> dict:
    tail = _tail(paging.decode_cursor(query.cursor, scope(who))) if query.cursor else None
    read_marks = marks(who.user_id)
    found: list[tuple[str, Notification, dict]] = []
    for audience in domain.audiences_of(who):
        mark = domain.mark_of(read_marks, audience)
        lower = audience + paging.SEP
        if query.unread:  # nothing at or before the watermark is unread
            lower = f"{audience}{paging.SEP}{mark['seen_ts']:017.6f}{paging.AFTER_SEP}"
        upper = f"{audience}{paging.SEP}{tail}" if tail else audience + paging.AFTER_SEP
        # the ids read one by one may fill a range: fetch past them (bounded by MAX_READ_IDS)
        extra = len(mark["read"]) if query.unread else 0
        docs = (Notification.objects(page_key__gte=lower, page_key__lt=upper)
                .order_by("-page_key").limit(query.limit + 1 + extra))
        for doc in docs:
            if not (query.unread and domain.is_read(mark, doc.id, doc.created_ts)):
                found.append((_tail(doc.page_key), doc, mark))
    found.sort(key=lambda row: row[0], reverse=True)
    shown = found[:query.limit]
    more = len(found) > query.limit
    cursor = paging.encode_cursor(f"{scope(who)}{paging.SEP}{shown[-1][0]}") if more else None
    return {"items": [view(doc, mark) for _, doc, mark in shown], "next_cursor": cursor}


def totals(who: Caller) -> dict[str, int]:
    """Each audience's counter, one read by `_id` each."""
    out = {}
    for audience in domain.audiences_of(who):
        row = AudienceCounts._get_collection().find_one({"_id": f"a:{audience}"}, {"total": 1})
        out[audience] = int((row or {}).get("total") or 0)
    return out


def unread_count(who: Caller) -> int:
    return domain.unread(marks(who.user_id), totals(who))


def _load_reader(user_id: str) -> Reader:
    return Reader.objects(id=user_id).first() or Reader(id=user_id, marks={})


def mark_read(who: Caller, notification_id: str) -> NotificationOut:
    doc = Notification.objects(id=notification_id).first()
    if doc is None or doc.audience not in domain.audiences_of(who):
        raise NotFound("no such notification", {"notification_id": "unknown"})

    def decide(reader: Reader, now: object) -> Decision | None:
        moved = domain.read_one(dict(reader.marks or {}), doc.audience, doc.id, doc.created_ts)
        if moved is None:
            return None
        key = doc.audience.replace(".", "_")
        if len(moved[key]["read"]) > domain.MAX_READ_IDS:
            moved[key] = _fold(doc.audience, moved[key])
        return Decision(changes={"marks": moved})

    done = change(lambda: _load_reader(who.user_id), decide, who)
    return view(doc, domain.mark_of(dict(done.doc.marks or {}), doc.audience))


def _fold(audience: str, mark: dict) -> dict:
    """The oldest notifications above the watermark, ascending (one bounded range)."""
    lower = f"{audience}{paging.SEP}{mark['seen_ts']:017.6f}{paging.AFTER_SEP}"
    rows = (Notification.objects(page_key__gte=lower, page_key__lt=audience + paging.AFTER_SEP)
            .order_by("page_key").only("id", "created_ts").limit(FOLD_SCAN))
    return domain.fold_read(mark, [(r.id, r.created_ts) for r in rows])


def mark_all_read(who: Caller) -> int:
    counted = totals(who)
    change(lambda: _load_reader(who.user_id),
           lambda reader, now: Decision(changes={"marks": domain.read_all(
               dict(reader.marks or {}), counted, time.time())}), who)
    return unread_count(who)
