"""Earning rules (event type → points, daily and weekly caps per person) and manual awards.

A contribution pays through `earn`: its posting's key is the rule and the source event,
so the same event delivered any number of times pays once. The caps are a per person,
rule and ISO week `EarnTally`, moved by compare-and-set on its version: concurrent events
never pass a cap, and the grant recorded beside the source makes a redelivery after a
crash post the same amount it was granted.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.points import (
    AccountKind,
    AwardIn,
    AwardOut,
    EarnKind,
    PointsAwarded,
    PostingReason,
    RuleIn,
    RuleOut,
)
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.paging import page_key
from services.points import access, domain, expiry, ledger, metrics, residents
from services.points.models import Award, EarnTally, Policy, Rule

DEFAULT_RULES: dict[EarnKind, RuleIn] = {
    EarnKind.issue_verified: RuleIn(points=5, daily_cap=20, weekly_cap=60),
    EarnKind.order_resolved_by_member: RuleIn(points=10, daily_cap=50, weekly_cap=200),
    EarnKind.volunteer_hour: RuleIn(points=10, daily_cap=80, weekly_cap=300),
    EarnKind.wish_fulfilled: RuleIn(points=8, daily_cap=40, weekly_cap=120),
    EarnKind.activity_attended: RuleIn(points=3, daily_cap=9, weekly_cap=30),
    EarnKind.meeting_attended: RuleIn(points=3, daily_cap=6, weekly_cap=20),
    EarnKind.vote_cast: RuleIn(points=1, daily_cap=5, weekly_cap=20),
    EarnKind.care_delivered: RuleIn(points=5, daily_cap=40, weekly_cap=150),
    # the founder only: incubation does not check its member ids (docs/incubation.md)
    EarnKind.organisation_stage: RuleIn(points=10, daily_cap=20, weekly_cap=40),
    EarnKind.organisation_graduated: RuleIn(points=30, daily_cap=30, weekly_cap=30),
}


def ensure_defaults(community_id: str) -> None:
    """The seed defaults for a community, leaving any rule it already has alone."""
    coll = Rule._get_collection()
    for kind, rule in DEFAULT_RULES.items():
        coll.update_one({"_id": f"{community_id}|{kind.value}"}, {"$setOnInsert": {
            "community_id": community_id, "kind": kind.value, "version": 0,
            **rule.model_dump()}},
            upsert=True)
    ledger.ensure_account(community_id, AccountKind.pool)
    ledger.ensure_account(community_id, AccountKind.expiry)
    expiry.ensure_policy(community_id)


def set_rule(caller: Caller, community_id: str, kind: EarnKind, data: RuleIn) -> RuleOut:
    """The rule's new values and the admin's audit event, in one write."""
    access.require_own(caller, community_id)
    rule_id = f"{community_id}|{kind.value}"

    def load() -> Rule:
        return Rule.objects(id=rule_id).first() or Rule(id=rule_id, community_id=community_id,
                                                        kind=kind.value, points=data.points)

    def decide(rule: Rule, _at: datetime) -> Decision:
        made = Decision(changes=data.model_dump())
        return audit.attach(made, caller, rule, "rule.set", "rule", community_id=community_id,
                            before={} if rule._created else None)

    change(load, decide, caller)
    return RuleOut(community_id=community_id, kind=kind, **data.model_dump())


def rules(caller: Caller, community_id: str) -> list[RuleOut]:
    access.require_sees(caller, community_id)
    found = Rule.objects(community_id=community_id).limit(len(EarnKind))
    return [RuleOut(community_id=r.community_id, kind=r.kind, points=r.points,
                    daily_cap=r.daily_cap, weekly_cap=r.weekly_cap, active=r.active)
            for r in found]


def tally_grant(tally_id: str, source: str, points: int, caps: domain.Caps, now: float) -> int:
    """How much `source` earns under the caps, once: recorded with the tally's CAS."""
    _, day = domain.week_of(now)
    coll = EarnTally._get_collection()
    coll.update_one({"_id": tally_id}, {"$setOnInsert": {"version": 0, "week": 0, "days": {},
                                                         "grants": []}}, upsert=True)
    for _ in range(50):  # each miss is another event of the same person winning first
        row = coll.find_one({"_id": tally_id})
        for entry in row.get("grants") or []:
            if entry.rsplit("=", 1)[0] == source:
                return int(entry.rsplit("=", 1)[1])
        days = dict(row.get("days") or {})
        granted = domain.grant(points, caps, int(days.get(day, 0)), int(row.get("week") or 0))
        if granted == 0:
            return 0
        days[day] = int(days.get(day, 0)) + granted
        moved = coll.update_one({"_id": tally_id, "version": row["version"]}, {"$set": {
            "version": row["version"] + 1, "week": int(row.get("week") or 0) + granted,
            "days": days, "grants": [*(row.get("grants") or []), f"{source}={granted}"]}})
        if moved.modified_count:
            return granted
    raise Conflict("too many concurrent earnings; retried", {"source": source})


def earn(community_id: str, user_id: str, kind: EarnKind, source: str,
         units: float = 1.0, now: float | None = None) -> int:
    """Pay `user_id` for a contribution under the community's rule; the points paid (0: no
    rule, inactive, or capped). The same (kind, source, user) pays once. `now` is when the
    contribution happened (the event's own time: a redelivery falls in the same day)."""
    now = time.time() if now is None else now
    rule = Rule.objects(id=f"{community_id}|{kind.value}").first()
    if rule is None or not rule.active:
        return 0
    points = domain.earned_points(rule.points, units)
    if points <= 0:
        return 0
    key = f"earn:{kind.value}:{source}:{user_id}"
    caps = domain.Caps(rule.daily_cap, rule.weekly_cap)
    if caps.daily or caps.weekly:
        week, _ = domain.week_of(now)
        points = tally_grant(f"{community_id}|{user_id}|{kind.value}|{week}", key, points,
                             caps, now)
        if points == 0:
            return 0
    pool = ledger.ensure_account(community_id, AccountKind.pool)
    resident = ledger.ensure_account(community_id, AccountKind.resident, user_id)
    # Posted at the real time (its lease runs from now); `now` only places it in the caps.
    posting = ledger.post(ledger.Move(community_id, pool, resident, points, PostingReason.earn,
                                      source, key))
    if posting.state == "posted":
        metrics.POINTS_ISSUED.labels(PostingReason.earn.value).inc(points)
    return points


# --- manual awards (maker/checker) ---------------------------------------------------------


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def award_view(a: Award) -> AwardOut:
    return AwardOut(id=a.id, community_id=a.community_id, user_id=a.user_id, points=a.points,
                    reason=a.reason, state=a.state, made_by=a.made_by,
                    approved_by=a.approved_by, posting_id=a.posting_id,
                    created_at=_at(a.created_ts))


def make_award(caller: Caller, data: AwardIn) -> AwardOut:
    """A community admin awards points; above the threshold it waits for a second admin."""
    community_id = access.community_for(caller, data.community_id)
    access.require_own(caller, community_id)
    now = time.time()
    aid = (domain.keyed_id("aw", caller.user_id, caller.idempotency_key)
           if caller.idempotency_key else domain.keyed_id("aw", caller.user_id, str(now),
                                                          domain.new_code()))
    found = Award.objects(id=aid).first()
    if found is not None:
        return award_view(found)
    residents.require_resident(community_id, data.user_id)  # before anything is written
    policy = Policy.objects(id=community_id).first()
    threshold = policy.award_threshold if policy else Policy.award_threshold.default
    doc = Award(id=aid, community_id=community_id, user_id=data.user_id, points=data.points,
                reason=data.reason, state="awaiting_approval", made_by=caller.user_id,
                created_ts=now, page_key=page_key(community_id, now, aid))
    audit.record_on(doc, caller, "award.make", "award", aid, community_id=community_id,
                    after=audit.fields_of(doc, ("user_id", "points", "reason", "state")))
    doc.commit()
    if not domain.needs_checker(data.points, threshold):
        return _post_award(caller, aid, approved_by=None)
    return award_view(doc)


def approve_award(caller: Caller, award_id: str) -> AwardOut:
    """The checker: another admin of the same community."""
    doc = Award.objects(id=award_id).first()
    if doc is None or doc.community_id != caller.community_id:
        raise NotFound("no such award", {"award_id": "unknown"})
    access.require_own(caller, doc.community_id)
    if doc.made_by == caller.user_id:
        raise Forbidden("a second admin approves an award", {"award_id": "you made it"})
    return _post_award(caller, award_id, approved_by=caller.user_id)


def _post_award(caller: Caller, award_id: str, approved_by: str | None) -> AwardOut:
    doc = Award.objects.get(id=award_id)
    pool = ledger.ensure_account(doc.community_id, AccountKind.pool)
    resident = ledger.ensure_account(doc.community_id, AccountKind.resident, doc.user_id)
    posting = ledger.post(ledger.Move(doc.community_id, pool, resident, doc.points,
                                      PostingReason.award, f"award:{doc.id}",
                                      f"award:{doc.id}"))

    def decide(a: Award, at: datetime) -> Decision | None:
        if a.state == "posted":
            return None
        return Decision(changes={"state": "posted", "approved_by": approved_by,
                                 "posting_id": posting.id},
                        events=[PointsAwarded(community_id=a.community_id, user_id=a.user_id,
                                              points=a.points, reason=PostingReason.award,
                                              source=f"award:{a.id}", posting_id=posting.id)])

    act = decide if approved_by is None else audit.audited(decide, caller, "award.approve",
                                                              "award")
    done = change(lambda: Award.objects.get(id=award_id), act, caller)
    if done.decision is not None:
        metrics.POINTS_ISSUED.labels(PostingReason.award.value).inc(doc.points)
    return award_view(done.doc)
