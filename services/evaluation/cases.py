"""Applying an input to a case through the one commit frame, then its counter moves.

One commit per input: the case's new state, the counter moves it implies
(`deltas_pending`), its events (the outbox) and its log entry (`LoggedInput`, a history
entry) are ONE version-conditioned write. The moves are then applied to the buckets
(`moves.apply_pending`), idempotently per case version, so a crash between the two
leaves them pending for the sweep timer, never lost and never applied twice.

A redelivered source (an event id, a timer claim) is recognised by the case itself
(`seen`, its last sources): the inbox skips most duplicates, this catches the crash
between the commit and the inbox record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.evaluation import alerts, domain, moves, policy
from services.evaluation.models import Case, LoggedInput

SEEN = 64  # a case hears far fewer inputs than this in its life; older ones never recur
# The inputs that may name a unit for the first time (where its scope gets written).
PLACING = frozenset({"received", "placed", "order", "claimed", "acknowledged", "whistled",
                     "item_opened"})


@dataclass(frozen=True)
class Applied:
    doc: Case
    step: domain.Step | None  # None: the source was applied before, or nothing to do


def log_key(case_id: str, version: int) -> str:
    return f"{case_id}|{version:010d}"


def _load(case_id: str) -> Case:
    doc = Case.objects(id=case_id).first()
    return doc if doc is not None else Case(id=case_id, state=domain.Case(id=case_id).to_dict())


def apply(case_id: str, inp: domain.Input, source: str, caller: Caller,
          create: bool = False) -> Applied:
    """Fold `inp` into case `case_id` (made if `create` and missing); None-step if done."""
    made: list[domain.Step] = []

    def decide(doc: Case, now: datetime) -> Decision | None:
        if doc._created and not create:
            return None  # a step about a case evaluation never heard of: nothing to fold
        seen = list(doc.state.get("_seen", []))
        if source in seen:
            return None
        state = domain.Case.from_dict(doc.state)
        result = domain.step(state, inp)
        made[:] = [result]
        version = doc.version + 1
        pending = list(doc.deltas_pending) + [
            {"v": version, "u": d.unit, "d": d.day, "n": d.name, "a": d.amount}
            for d in result.deltas]
        stored = result.case.to_dict() | {"_seen": (seen + [source])[-SEEN:]}
        due = result.case.next_due()
        return Decision(
            changes={"state": stored, "community_id": result.case.community_id or None,
                     "next_due_ts": due, "deltas_pending": pending,
                     "deltas_flag": bool(pending)},
            events=list(result.events),
            history=[LoggedInput(id=f"{case_id}:{version}", key=log_key(case_id, version),
                                 case_id=case_id, version=version, kind=inp.kind, at=inp.at,
                                 data=dict(inp.data), source=source)])

    done = change(lambda: _load(case_id), decide, caller)
    if done.decision is None:
        return Applied(done.doc, None)
    if done.doc.deltas_pending:
        moves.apply_pending(case_id, [dict(row) for row in done.doc.deltas_pending],
                              done.doc.version)
    if inp.kind == "received" and made:  # early warning: this issue's grid and category
        alerts.note_issue(made[0].case, inp.at, inp.data.get("address"))
        alerts.check(made[0].case, inp.at)
        alerts.check_address(made[0].case, inp.at, inp.data.get("address"))
    if inp.kind in PLACING and made:
        policy.place_units(made[0].case)
        for department in inp.data.get("departments", ()) if inp.kind == "whistled" else ():
            policy.place_department(made[0].case, department)
    return Applied(done.doc, made[0] if made else None)


def state_of(case_id: str) -> domain.Case | None:
    doc = Case.objects(id=case_id).only("state").first()
    return domain.Case.from_dict(doc.state) if doc is not None else None


def due_ids(now: float, limit: int) -> list[tuple[str, float]]:
    """Cases whose next deadline has passed: a range on the one indexed float, with a limit."""
    rows = Case._get_collection().find({"next_due_ts": {"$lte": now}},
                                       {"next_due_ts": 1}).sort("next_due_ts", 1).limit(limit)
    return [(r["_id"], r["next_due_ts"]) for r in rows]


def pending_ids(limit: int) -> list[str]:
    rows = Case._get_collection().find({"deltas_flag": True}, {"_id": 1}).limit(limit)
    return [r["_id"] for r in rows]


def summary(doc: Case) -> dict[str, Any]:
    return dict(doc.state)
