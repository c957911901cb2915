"""The audit trail of admin acts (审计日志): one helper every service uses to say what an
admin did, as an `audit.recorded` event IN THE SAME COMMIT as the act.

    from services.common import audit

    def deactivate(user, now) -> Decision:                        # the act's own decision
        return Decision(changes={"active": False}, events=[UserDeactivated(...)])

    decision = audit.attach(decision, caller, user, "user.deactivate", "user", user.id,
                            community_id=user.community_id)

`attach` adds the event to the decision's events (so it rides the aggregate's outbox and
is published by its relay exactly as the act's own events are), with `before`/`after` the
fields the decision changes, as they were on the document and as they will be. Only the
acts of admins are recorded (community, street, district admin): the system's own steps
(timers, event handlers) and everyone else's acts are not admin acts. Secrets (hashes,
passwords, tokens) never appear: their values read "<redacted>".

No service waits on the audit service: the event is published by the acting service's
relay, and the audit service stores it when it comes (keyed by the event id).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from enum import Enum
from typing import Any

from services.common.aggregate import Decision
from services.common.caller import ADMIN_ROLES, Caller
from services.common.contracts.audit import AuditRecorded
from services.common.contracts.envelope import new_event
from services.common.logs import REQUEST_ID

REDACTED = "<redacted>"
SECRET_WORDS = ("password", "hash", "secret", "token", "api_key")
MAX_TEXT = 200  # a value is shown, not kept whole: the record itself keeps it
MAX_ITEMS = 20
MAX_FIELDS = 30


def is_admin_act(caller: Caller) -> bool:
    return caller.role in ADMIN_ROLES


def request_id(caller: Caller) -> str | None:
    """The caller context's request id, else the current worker's (logs.REQUEST_ID)."""
    if caller.request_id:
        return caller.request_id
    current = REQUEST_ID.get()
    return None if current == "-" else current


def secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def shown(value: Any, depth: int = 0) -> Any:
    """A JSON value small enough for an entry: text cut, lists and dicts capped."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Enum):
        return shown(value.value, depth)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping) and depth < 1:
        return {str(k): (REDACTED if secret(str(k)) else shown(v, depth + 1))
                for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, list | tuple | set | frozenset) and depth < 1:
        return [shown(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """The fields whose value differs, as (before, after): changed fields only; a field
    only one side names (a creation's, a removal's) is on that side only."""
    old, new = {}, {}
    for name in list(dict.fromkeys([*before, *after]))[:MAX_FIELDS]:
        was, now = shown(before.get(name)), shown(after.get(name))
        if was == now and (name in before) == (name in after):
            continue
        if name in before:  # a field that was not there (a creation) has no "before"
            old[name] = REDACTED if secret(name) else was
        if name in after:
            new[name] = REDACTED if secret(name) else now
    return old, new


def recorded(caller: Caller, action: str, record_type: str, record_id: str, *,
             before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
             community_id: str | None = None, street_id: str | None = None,
             district_id: str | None = None, at: float | None = None) -> list[AuditRecorded]:
    """The `audit.recorded` event of an admin act, as a list to splat into a decision's
    events: empty when `caller` is not an admin. `before`/`after` are reduced to the
    fields that differ. The scope is the record's (where it lives), defaulting to the
    caller's street when the record is in the caller's own community."""
    if not is_admin_act(caller):
        return []
    if street_id is None and (community_id is None or community_id == caller.community_id):
        street_id = caller.street_id
    old, new = diff(before or {}, after or {})
    return [AuditRecorded(
        actor_id=caller.user_id, actor_role=caller.role,
        district_id=district_id or caller.district_id, street_id=street_id,
        community_id=community_id, action=action, record_type=record_type,
        record_id=str(record_id), before=old, after=new,
        ts=time.time() if at is None else at, request_id=request_id(caller))]


def record_on(doc: Any, caller: Caller, action: str, record_type: str, record_id: str,
              **fields: Any) -> None:
    """For a write that is not a `change` (an aggregate inserted with `commit()`): the act's
    event into the document's outbox, so it is written with it (`recorded`'s arguments)."""
    trail = recorded(caller, action, record_type, record_id, **fields)
    if trail:
        community_id = fields.get("community_id") or getattr(doc, "community_id", None)
        doc.record(*(new_event(e, caller, community_id) for e in trail))


def fields_of(doc: Any, names: Iterable[str]) -> dict[str, Any]:
    """The current values of `names` on a document (or any object)."""
    return {name: getattr(doc, name, None) for name in names}


def attach(decision: Decision | None, caller: Caller, doc: Any, action: str,
           record_type: str, record_id: str | None = None, *,
           before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
           community_id: str | None = None, street_id: str | None = None,
           district_id: str | None = None) -> Decision | None:
    """`decision` with the act's audit event added to its events (None stays None: nothing
    happened, nothing to record). Before/after default to the fields the decision changes,
    as `doc` holds them now and as the decision sets them."""
    if decision is None or not is_admin_act(caller):
        return decision
    changes = dict(decision.changes)
    old = fields_of(doc, changes) if before is None else before
    new = changes if after is None else after
    if community_id is None:
        community_id = changes.get("community_id", getattr(doc, "community_id", None))
    if street_id is None:
        street_id = getattr(doc, "street_id", None)
    if district_id is None:
        district_id = getattr(doc, "district_id", None)
    trail = recorded(caller, action, record_type, record_id or str(doc.pk), before=old,
                     after=new, community_id=community_id, street_id=street_id,
                     district_id=district_id)
    return replace(decision, events=[*decision.events, *trail])


def audited(decide: Any, caller: Caller, action: str, record_type: str,
            **scope: Any) -> Any:
    """Wrap a `decide(doc, now)` of the commit frame so its decision carries the audit
    event of the act (`attach` with the document the frame loaded)."""

    def decide_and_record(doc: Any, now: datetime) -> Decision | None:
        return attach(decide(doc, now), caller, doc, action, record_type, **scope)

    return decide_and_record
