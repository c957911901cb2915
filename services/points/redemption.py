"""兑换: request → points locked and stock reserved in guarded steps → a one-time code →
the merchant confirms at the counter → spent and stock taken; cancel or expiry releases.

The redemption is inserted first (pending, due for recovery in RECOVER_SECONDS), then each
guard is one conditional single-document write keyed by the redemption id (the resident's
allowance, the offer's stock, the lock posting `lock:<id>`), then the state moves to issued
through the commit frame. Whatever state a redemption ends in, `settle` does what it
implies (the postings `redeem:<id>` or `release:<id>`, the stock back or taken), each step
repeatable; the timer re-runs it until `settled`. A failed, cancelled or expired one that
never locked gets a tombstone on `lock:<id>`, so a late lock cannot slip in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from mongoengine.errors import NotUniqueError

from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.points import (
    AccountKind,
    PostingReason,
    RedemptionConfirmed,
    RedemptionIssued,
    RedemptionReleased,
    RedemptionState,
)
from services.common.errors import Conflict, NotFound
from services.common.paging import page_key
from services.points import domain, expiry, ledger, metrics
from services.points.models import Allowance, Offer, Policy, Redemption


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def request(caller: Caller, offer_id: str) -> Redemption:
    """A resident asks for an offer; returns the issued redemption or raises the refusal."""
    now = time.time()
    offer = Offer.objects(id=offer_id).first()
    if offer is None or offer.community_id != caller.community_id:
        raise NotFound("no such offer", {"offer_id": "unknown"})
    if not offer.valid_from_ts <= now < offer.valid_until_ts:
        raise Conflict("this offer is not valid now", {"offer_id": "outside its validity"})
    rid = (domain.keyed_id("rd", caller.user_id, caller.idempotency_key)
           if caller.idempotency_key else domain.keyed_id("rd", caller.user_id, str(now),
                                                           domain.new_code()))
    found = Redemption.objects(id=rid).first()
    if found is not None:
        return found
    ledger.ensure_account(offer.community_id, AccountKind.resident, caller.user_id)
    ledger.ensure_account(offer.community_id, AccountKind.hold, caller.user_id)
    doc = Redemption(id=rid, community_id=offer.community_id, offer_id=offer.id,
                     merchant_id=offer.merchant_id, resident_id=caller.user_id,
                     price=offer.price, state=RedemptionState.pending.value, created_ts=now,
                     next_due_ts=now + domain.RECOVER_SECONDS,
                     resident_key=page_key(f"{offer.community_id}:{caller.user_id}", now, rid),
                     merchant_key=page_key(f"{offer.community_id}:{offer.merchant_id}", now,
                                           rid))
    try:
        doc.commit()
    except NotUniqueError:
        return Redemption.objects.get(id=rid)
    refusal = _take(doc, offer)
    if refusal is not None:
        _release(caller, rid, RedemptionState.failed, refusal)
        metrics.REDEMPTIONS.labels("failed").inc()
        raise Conflict(refusal.replace("_", " "), {"offer_id": refusal})
    return _issue(caller, rid, offer)


def _take(doc: Redemption, offer: Offer) -> str | None:
    """The guards, in order; the first refusal's name, or None when all three hold."""
    rid = doc.id
    allowances = Allowance._get_collection()
    allowance = f"{offer.id}|{doc.resident_id}"
    allowances.update_one({"_id": allowance}, {"$setOnInsert": {"n": 0, "ids": []}}, upsert=True)
    took = allowances.update_one(
        {"_id": allowance, "n": {"$lt": offer.per_resident_limit}, "ids": {"$nin": [rid]}},
        {"$inc": {"n": 1}, "$push": {"ids": rid}})
    if not took.modified_count and rid not in (allowances.find_one({"_id": allowance}) or {}).get(
            "ids", []):
        return "per_resident_limit"
    offers = Offer._get_collection()
    took = offers.update_one({"_id": offer.id, "stock": {"$gte": 1}, "holds": {"$nin": [rid]}},
                             {"$inc": {"stock": -1}, "$push": {"holds": rid}})
    if not took.modified_count and rid not in (offers.find_one({"_id": offer.id}) or {}).get(
            "holds", []):
        return "out_of_stock"
    locked = ledger.post(ledger.Move(
        doc.community_id, ledger.account_id(doc.community_id, AccountKind.resident,
                                            doc.resident_id),
        ledger.account_id(doc.community_id, AccountKind.hold, doc.resident_id), doc.price,
        PostingReason.lock, rid, f"lock:{rid}"))
    if locked.state == "refused" or locked.state == "void":
        return "insufficient_points"
    if locked.state != "posted":
        return "busy_try_again"  # the timer releases what was taken
    return None


def _issue(caller: Caller, rid: str, offer: Offer) -> Redemption:
    policy = Policy.objects(id=offer.community_id).first()
    ttl = policy.redemption_ttl_seconds if policy else Policy.redemption_ttl_seconds.default

    def decide(doc: Redemption, at: datetime) -> Decision | None:
        if doc.state != RedemptionState.pending.value:
            raise Conflict(f"this redemption is {doc.state}", {"state": doc.state})
        expires = at.timestamp() + ttl
        return Decision(changes={"state": RedemptionState.issued.value,
                                 "code": domain.new_code(), "expires_ts": expires,
                                 "next_due_ts": expires},
                        events=[RedemptionIssued(
                            redemption_id=doc.id, community_id=doc.community_id,
                            offer_id=doc.offer_id, merchant_id=doc.merchant_id,
                            resident_id=doc.resident_id, price=doc.price,
                            expires_at=_at(expires))])

    for _ in range(5):  # a code another redemption holds: draw again
        try:
            done = change(lambda: Redemption.objects.get(id=rid), decide, caller).doc
        except NotUniqueError:
            continue
        except Conflict:
            settle(caller, rid)  # the timer failed it meanwhile: undo what we took
            raise
        metrics.REDEMPTIONS.labels("issued").inc()
        return done
    raise Conflict("no free code; try again", {"code": "exhausted"})


def _at_counter(caller: Caller, code: str, *fields: str) -> Redemption:
    """The redemption of `code` if it is for the caller's own offers (a merchant cannot
    confirm their own); else the 404 of an unknown code, so codes cannot be probed."""
    found = Redemption.objects(code=code).only("id", "merchant_id", "resident_id",
                                               *fields).first()
    if found is None or found.merchant_id != caller.merchant_id or (
            found.resident_id == caller.user_id):
        raise NotFound("no such code", {"code": "unknown"})
    return found


def check(caller: Caller, code: str, now: float) -> tuple[Redemption, str | None]:
    """Before confirming: the redemption of the code and why confirming it would be
    refused now (None: it would not)."""
    found = _at_counter(caller, code, "offer_id", "price", "state", "expires_ts")
    try:
        domain.confirmable(found.state, found.expires_ts, now)
    except Conflict as refused:
        return found, refused.message
    return found, None


def confirm(caller: Caller, code: str) -> Redemption:
    """At the counter: only the offer's merchant, once, before expiry."""
    found = _at_counter(caller, code)

    def decide(doc: Redemption, at: datetime) -> Decision:
        now = at.timestamp()
        domain.confirmable(doc.state, doc.expires_ts, now)
        return Decision(changes={
            "state": RedemptionState.confirmed.value, "confirmed_ts": now,
            "next_due_ts": now + domain.RECOVER_SECONDS,
            "settle_key": page_key(f"{doc.merchant_id}:{doc.community_id}", now, doc.id)},
            events=[RedemptionConfirmed(
                redemption_id=doc.id, community_id=doc.community_id,
                merchant_id=doc.merchant_id, resident_id=doc.resident_id, price=doc.price,
                latency_seconds=now - doc.created_ts)])

    done = change(lambda: Redemption.objects.get(id=found.id), decide, caller).doc
    metrics.REDEMPTIONS.labels("confirmed").inc()
    metrics.CONFIRM_LATENCY.observe(done.confirmed_ts - done.created_ts)
    settle(caller, done.id)
    return Redemption.objects.get(id=done.id)


def cancel(caller: Caller, rid: str) -> Redemption:
    """The resident gives an issued redemption up: points and stock go back."""
    doc = Redemption.objects(id=rid).first()
    if doc is None or doc.resident_id != caller.user_id:
        raise NotFound("no such redemption", {"redemption_id": "unknown"})
    return _release(caller, rid, RedemptionState.cancelled, None, check=domain.cancellable)


def _release(caller: Caller, rid: str, state: RedemptionState, reason: str | None,
             check: Callable[[str], None] | None = None) -> Redemption:
    def decide(doc: Redemption, at: datetime) -> Decision | None:
        if doc.state == state.value:
            return None
        if check is not None:
            check(doc.state)
        return Decision(changes={"state": state.value, "reason": reason,
                                 "next_due_ts": at.timestamp() + domain.RECOVER_SECONDS},
                        events=[RedemptionReleased(
                            redemption_id=doc.id, community_id=doc.community_id,
                            merchant_id=doc.merchant_id, resident_id=doc.resident_id,
                            state=state)])

    change(lambda: Redemption.objects.get(id=rid), decide, caller)
    settle(caller, rid)
    return Redemption.objects.get(id=rid)


def settle(caller: Caller, rid: str) -> bool:
    """Do what the redemption's state implies, once; True when nothing is left to do."""
    doc = Redemption.objects.get(id=rid)
    if doc.settled:
        return True
    state = RedemptionState(doc.state)
    if state is RedemptionState.confirmed:
        done = _spend(doc)
    elif state in domain.RELEASED:
        done = _give_back(doc)
    else:
        return False
    if done:
        change(lambda: Redemption.objects.get(id=rid),
               lambda d, at: None if d.settled else Decision(
                   changes={"settled": True, "next_due_ts": None}), caller)
    return done


def _spend(doc: Redemption) -> bool:
    spent = ledger.post(ledger.Move(
        doc.community_id, ledger.account_id(doc.community_id, AccountKind.hold, doc.resident_id),
        ledger.ensure_account(doc.community_id, AccountKind.merchant, doc.merchant_id),
        doc.price, PostingReason.redeem, doc.id, f"redeem:{doc.id}"))
    if spent.state != "posted":
        return False
    Offer._get_collection().update_one({"_id": doc.offer_id, "holds": doc.id},
                                       {"$pull": {"holds": doc.id}, "$inc": {"taken": 1}})
    metrics.POINTS_SPENT.labels(PostingReason.redeem.value).inc(doc.price)
    return True


def _give_back(doc: Redemption) -> bool:
    lock = ledger.posted_or_void(f"lock:{doc.id}", doc.community_id)
    if lock is not None and lock.state == "new":
        return False  # its applier or the sweeper finishes it first
    if lock is not None and lock.state == "posted":
        back = ledger.post(ledger.Move(
            doc.community_id, ledger.account_id(doc.community_id, AccountKind.hold,
                                                doc.resident_id),
            ledger.account_id(doc.community_id, AccountKind.resident, doc.resident_id),
            doc.price, PostingReason.release, doc.id, f"release:{doc.id}"))
        if back.state != "posted":
            return False
        # Released after its points' year end: they expire now, not at the next year end.
        if not expiry.expire_released(doc.community_id, doc.resident_id, doc.id, doc.price,
                                      time.time()):
            return False
    Offer._get_collection().update_one({"_id": doc.offer_id, "holds": doc.id},
                                       {"$pull": {"holds": doc.id}, "$inc": {"stock": 1}})
    Allowance._get_collection().update_one({"_id": f"{doc.offer_id}|{doc.resident_id}",
                                            "ids": doc.id},
                                           {"$pull": {"ids": doc.id}, "$inc": {"n": -1}})
    return True


def run_due(now: float, batch: int = 200) -> int:
    """Expire issued codes past their time, fail stalled requests, retry settlements.
    Each transition is version-guarded and each settlement step keyed: exactly once."""
    system = Caller.system()
    moved = 0
    due = Redemption.objects(next_due_ts__lte=now).order_by("next_due_ts").only(
        "id", "state", "created_ts", "expires_ts", "settled").limit(batch)
    for doc in list(due):
        target = domain.due_transition(doc.state, doc.created_ts, doc.expires_ts, now)
        if target is not None:
            _release(system, doc.id, target, "expired" if target is RedemptionState.expired
                     else "abandoned")
            metrics.REDEMPTIONS.labels(target.value).inc()
        elif not settle(system, doc.id):
            _postpone(system, doc.id, now)
        moved += 1
    return moved


def _postpone(caller: Caller, rid: str, now: float) -> None:
    """Not settled yet (a posting still being applied): look again after recovery time."""
    change(lambda: Redemption.objects.get(id=rid),
           lambda d, at: None if d.settled or (d.next_due_ts or 0) > now else Decision(
               changes={"next_due_ts": now + domain.RECOVER_SECONDS}), caller)
