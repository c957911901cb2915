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
from services.common.paging import PageQuery, fetch
from services.points import domain, ledger, metrics
from services.points.models import Account, Policy

PAGE = 100


def year_end_ts(year: int) -> float:
    """The end of `year` (the first instant of the next, UTC) as epoch seconds."""
    return datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()


def ensure_policy(community_id: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    Policy._get_collection().update_one({"_id": community_id}, {"$setOnInsert": {
        "award_threshold": 100, "redemption_ttl_seconds": 900.0, "expire_after_years": 1,
        "expiry_due_ts": year_end_ts(ledger.year_of(now))}}, upsert=True)


def expire_account(acct: dict, year_ended: int, after_years: int) -> int:
    """Expire what the policy says of one resident account; the points expired."""
    earned = {int(k.removeprefix("earned_")): int(v) for k, v in acct.items()
              if k.startswith("earned_") and k.removeprefix("earned_").isdigit()}
    hold = Account._get_collection().find_one({"_id": ledger.account_id(
        acct["community_id"], AccountKind.hold, acct["owner_id"])}, {"spent": 1}) or {}
    amount = domain.expiring(earned, year_ended - after_years, int(hold.get("spent") or 0),
                             int(acct.get("expired") or 0), int(acct.get("balance") or 0))
    if amount <= 0:
        return 0
    sink = ledger.ensure_account(acct["community_id"], AccountKind.expiry)
    posting = ledger.post(ledger.Move(acct["community_id"], acct["_id"], sink, amount,
                                      PostingReason.expire, f"expiry:{year_ended}",
                                      f"expire:{acct['_id']}:{year_ended}"))
    if posting.state != "posted":
        return 0
    metrics.POINTS_SPENT.labels(PostingReason.expire.value).inc(amount)
    return amount


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
