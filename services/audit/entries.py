"""Storing and reading audit entries.

Storing: one insert keyed by the event's id (a redelivery meets the duplicate key and is
dropped), with one keyset key per listing.

Reading: newest first. The listing is a range on ONE key (docs/store.md): the first of
community, actor, action, record type the query names, else the caller's own scope (the
district, a street, a community). `since`/`until` narrow that range (the key holds the
time), never a range on a datetime. The other filters, and the caller's scope, are checked
on each entry read: a page reads at most `SCAN` entries, so it may hold fewer than its
limit with a `next_cursor` still to follow.
"""

from __future__ import annotations

import contextlib
import time

from mongoengine.errors import NotUniqueError

from services.audit.models import AuditEntry
from services.common import access, paging
from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.audit import AuditEntryOut, AuditPage, AuditQuery
from services.common.contracts.envelope import Envelope
from services.common.errors import Forbidden
from services.common.paging import SEP, page_key, scope_key

SCAN = 500  # entries read for one page at most
READERS = tuple(ADMIN_ROLES)


def keys_of(entry_id: str, e: dict) -> dict[str, str | None]:
    at, district = e["ts"], e["district_id"]

    def key(*parts: str) -> str:
        return page_key(scope_key(*parts), at, entry_id)

    return {"all_key": key("all"), "district_key": key("d", district),
            "street_key": key("s", e["street_id"]) if e.get("street_id") else None,
            "community_key": key("c", e["community_id"]) if e.get("community_id") else None,
            "actor_key": key("a", district, e["actor_id"]),
            "action_key": key("x", district, e["action"]),
            "record_key": key("t", district, e["record_type"])}


def store(envelope: Envelope, service: str) -> bool:
    """The entry of an `audit.recorded` event; False if it was stored already."""
    fields = envelope.parsed().model_dump(mode="json")
    if SEP in envelope.id:
        return False
    entry = AuditEntry(id=envelope.id, service=service, received_ts=time.time(),
                       **fields, **keys_of(envelope.id, fields))
    with contextlib.suppress(NotUniqueError):  # a redelivery: the id is stored already
        entry.save(force_insert=True)
        return True
    return False


def scope_of(caller: Caller, query: AuditQuery) -> tuple[str, str]:
    """(key field, scope) of the one range the page reads; refuses what is not the
    caller's to read."""
    caller.require_role(*READERS)
    district = caller.district_id
    if caller.role is Role.community_admin:
        if query.community_id not in (None, caller.community_id) or not caller.community_id:
            raise Forbidden("a community admin reads its own community's entries",
                            {"community_id": "not your community"})
        return "community_key", scope_key("c", caller.community_id)
    if query.community_id:
        return "community_key", scope_key("c", query.community_id)
    if query.actor_id:
        return "actor_key", scope_key("a", district, query.actor_id)
    if query.action:
        return "action_key", scope_key("x", district, query.action)
    if query.record_type:
        return "record_key", scope_key("t", district, query.record_type)
    if caller.role is Role.street_admin:
        return "street_key", scope_key("s", caller.street_id or "-")
    if caller.role is Role.system:
        return "all_key", scope_key("all")
    return "district_key", scope_key("d", district)


def matches(query: AuditQuery, entry: AuditEntry) -> bool:
    return ((query.community_id is None or entry.community_id == query.community_id)
            and (query.actor_id is None or entry.actor_id == query.actor_id)
            and (query.action is None or entry.action == query.action)
            and (query.record_type is None or entry.record_type == query.record_type)
            and (query.since is None or entry.ts >= query.since)
            and (query.until is None or entry.ts < query.until))


def window(scope: str, query: AuditQuery) -> dict[str, str]:
    """The key range of the page: the cursor's, cut to since/until (the key holds the ts)."""
    rng = paging.bounds(scope, query.cursor)
    if query.since is not None:
        rng["$gte"] = max(rng["$gte"], f"{scope}{SEP}{query.since:017.6f}")
    if query.until is not None:
        rng["$lt"] = min(rng["$lt"], f"{scope}{SEP}{query.until:017.6f}")
    return rng


def out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(id=entry.id, service=entry.service, actor_id=entry.actor_id,
                         actor_role=entry.actor_role, district_id=entry.district_id,
                         street_id=entry.street_id, community_id=entry.community_id,
                         action=entry.action, record_type=entry.record_type,
                         record_id=entry.record_id, before=entry.before or {},
                         after=entry.after or {}, ts=entry.ts, request_id=entry.request_id)


def page(caller: Caller, query: AuditQuery) -> AuditPage:
    """One page of the entries the caller may read, newest first."""
    field, scope = scope_of(caller, query)
    rng = window(scope, query)
    if rng["$gte"] >= rng["$lt"]:
        return AuditPage(items=[])
    # Read in batches of a page, not SCAN at once: a page whose range holds only what the
    # caller may read (no filter beyond the key) stops after limit + 1 documents.
    docs = iter(AuditEntry.objects(**{f"{field}__gte": rng["$gte"], f"{field}__lt": rng["$lt"]})
                .order_by(f"-{field}").limit(SCAN + 1).batch_size(query.limit + 1))
    items: list[AuditEntryOut] = []
    last, more = None, False
    for read, doc in enumerate(docs, start=1):
        if read > SCAN:  # scanned enough for one page: the next one goes on from `last`
            more = True
            break
        last = doc
        if access.sees(caller, doc) and matches(query, doc):
            items.append(out(doc))
            if len(items) == query.limit:
                more = next(docs, None) is not None
                break
    return AuditPage(items=items,
                     next_cursor=paging.encode_cursor(getattr(last, field)) if more else None)
