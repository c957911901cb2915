"""The expiry policy (积分有效期): points earned in year Y expire at the end of year
Y + `expire_after_years` (1: the end of the next year), oldest first.

Each community's `Policy` carries the next year end to expire at (`expiry_due_ts`, an
indexed float) and the page its run reached (`expiry_cursor`). The timer takes a due
policy, expires one page of its resident accounts (a posting resident → expiry sink,
keyed `expire:<account>:<year>`, so a page run twice expires nothing twice), and moves
the cursor with a write conditional on the values it read; after the last page the due
time moves to the next year end. Replicas and restarts repeat at most a page, harmlessly.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from services.common.contracts.points import AccountKind, PostingReason
from services.common.errors import Conflict
from services.common.paging import PageQuery, fetch
from services.points import domain, ledger, metrics
from services.points.models import Account, ExpiryTally, Policy

PAGE = 100


def year_end_ts(year: int) -> float:
    """The end of `year` (the first instant of the next, UTC) as epoch seconds."""
    return datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()


def ensure_policy(community_id: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    Policy._get_collection().update_one({"_id": community_id}, {"$setOnInsert": {
        "award_threshold": 100, "redemption_ttl_seconds": 900.0, "expire_after_years": 1,
        "expiry_due_ts": year_end_ts(ledger.year_of(now))}}, upsert=True)


def _earned(acct: dict) -> dict[int, int]:
    return {int(k.removeprefix("earned_")): int(v) for k, v in acct.items()
            if k.startswith("earned_") and k.removeprefix("earned_").isdigit()}


def _spent(acct: dict) -> int:
    hold = Account._get_collection().find_one({"_id": ledger.account_id(
        acct["community_id"], AccountKind.hold, acct["owner_id"])}, {"spent": 1}) or {}
    return int(hold.get("spent") or 0)


def decide(acct_id: str, key: str, through_year: int, cap: int | None = None) -> int:
    """How much the posting `key` expires of the account, decided once under the account's
    `ExpiryTally`: the year end's run and a release after it (each reading the balance the
    other is moving) never decide the same points twice, because each subtracts what the
    other decided (`decided`, which also counts a decision whose posting is in flight)."""
    grant = ledger.posting_id(key)
    tallies, accounts = ExpiryTally._get_collection(), Account._get_collection()
    for _ in range(50):  # each miss is the other decider of the same account winning first
        tally = tallies.find_one({"_id": acct_id})
        if tally is not None and grant in (tally.get("grants") or {}):
            return int(tally["grants"][grant])
        acct = accounts.find_one({"_id": acct_id}) or {}
        if tally is None:  # the first decision: what expired before tallies existed
            tallies.update_one({"_id": acct_id}, {"$setOnInsert": {
                "version": 0, "decided": int(acct.get("expired") or 0), "grants": {}}},
                upsert=True)
            continue
        amount = domain.expiring(_earned(acct), through_year, _spent(acct),
                                 int(tally.get("decided") or 0), int(acct.get("balance") or 0))
        amount = amount if cap is None else min(amount, cap)
        if amount <= 0:
            return 0  # nothing recorded: a later attempt decides again on newer figures
        moved = tallies.update_one({"_id": acct_id, "version": tally["version"]}, {
            "$inc": {"version": 1, "decided": amount}, "$set": {f"grants.{grant}": amount}})
        if moved.modified_count:
            return amount
    raise Conflict("too many concurrent expiry decisions; retried", {"account": acct_id})


def _post(acct: dict, amount: int, source: str, key: str) -> ledger.Posting | None:
    """Post a decided expiry; a refusal (the balance moved below it since) is undone in the
    tally, so the points stay counted as not expired."""
    sink = ledger.ensure_account(acct["community_id"], AccountKind.expiry)
    posting = ledger.post(ledger.Move(acct["community_id"], acct["_id"], sink, amount,
                                      PostingReason.expire, source, key))
    if posting.state == "refused":
        grant = ledger.posting_id(key)
        ExpiryTally._get_collection().update_one(
            {"_id": acct["_id"], f"grants.{grant}": amount},
            {"$inc": {"version": 1, "decided": -amount}, "$set": {f"grants.{grant}": 0}})
        return posting
    if posting.state == "posted":
        metrics.POINTS_SPENT.labels(PostingReason.expire.value).inc(amount)
    return posting


def expire_account(acct: dict, year_ended: int, after_years: int) -> int:
    """Expire what the policy says of one resident account; the points expired."""
    through = year_ended - after_years
    # Most accounts have nothing due: decided >= expired, so no tally is read for them.
    if domain.expiring(_earned(acct), through, _spent(acct), int(acct.get("expired") or 0),
                       int(acct.get("balance") or 0)) <= 0:
        return 0
    key = f"expire:{acct['_id']}:{year_ended}"
    amount = decide(acct["_id"], key, through)
    if amount <= 0:
        return 0
    posting = _post(acct, amount, f"expiry:{year_ended}", key)
    return amount if posting is not None and posting.state == "posted" else 0


def expire_released(community_id: str, resident_id: str, redemption_id: str, price: int,
                    now: float) -> bool:
    """A redemption released after its points' year end: what it gave back and is due
    expires now (resident → expiry sink, keyed by the redemption), not a year later. False
    while that posting is still in flight (the settlement looks again)."""
    policy = Policy._get_collection().find_one({"_id": community_id},
                                               {"expire_after_years": 1}) or {}
    after_years = int(policy.get("expire_after_years") or 0)
    if after_years <= 0:
        return True
    through = ledger.year_of(now) - 1 - after_years  # the last year end that has passed
    acct_id = ledger.account_id(community_id, AccountKind.resident, resident_id)
    acct = Account._get_collection().find_one({"_id": acct_id})
    if acct is None:
        return True
    key = f"expire:release:{redemption_id}"
    # Nothing due on the posted figures: nothing due on the tally's either (decided >= expired).
    if domain.expiring(_earned(acct), through, _spent(acct), int(acct.get("expired") or 0),
                       int(acct.get("balance") or 0)) <= 0:
        return True
    amount = decide(acct_id, key, through, cap=price)
    if amount <= 0:
        return True
    posting = _post(acct, amount, redemption_id, key)
    return posting is not None and posting.state != "new"


def run_page(community_id: str, year_ended: int, after_years: int,
             cursor: str | None) -> tuple[int, str | None]:
    """One page of a community's accounts: (points expired, the next page's cursor)."""
    docs, after = fetch(Account.objects.only("id"), "page_key", community_id,
                        PageQuery(limit=PAGE, cursor=cursor))
    coll = Account._get_collection()
    expired = 0
    for doc in docs:
        row = coll.find_one({"_id": doc.id})
        if row and row.get("kind") == AccountKind.resident.value:
            expired += expire_account(row, year_ended, after_years)
    return expired, after


def run_due(now: float, batch: int = 10) -> int:
    """One page for each community whose year end has passed; the points expired."""
    coll = Policy._get_collection()
    total = 0
    for policy in list(coll.find({"expiry_due_ts": {"$lte": now}}).sort(
            "expiry_due_ts", 1).limit(batch)):
        due, cursor = policy["expiry_due_ts"], policy.get("expiry_cursor")
        year_ended = ledger.year_of(due - 1)
        after_years = int(policy.get("expire_after_years") or 0)
        expired, after = (run_page(policy["_id"], year_ended, after_years, cursor)
                          if after_years > 0 else (0, None))
        total += expired
        moved = {"expiry_cursor": after} if after else {
            "expiry_cursor": None, "expiry_due_ts": year_end_ts(year_ended + 1)}
        coll.update_one({"_id": policy["_id"], "expiry_due_ts": due, "expiry_cursor": cursor},
                        {"$set": moved})
    return total
