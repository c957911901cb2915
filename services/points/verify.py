"""Verify the books: every balance is the sum of its postings, a community's books sum to 0.

Per account: read it (its `seq`, balance and `recent`), sum the postings that credit and
debit it (keyset walks on `credit_key` / `debit_key`), read its `seq` again. A side counts
when its posting is posted or its id is in the account's `recent` (applied, not yet
marked). If `seq` moved meanwhile the sum is redone (up to three times, then the account is
reported busy, not drifting): the comparison is exact under traffic. The community's sum
is exact once the ledger is quiet; with postings in flight it is Σ balances + in transit.

`python -m services.points.verify [--community ID]` runs it against the configured store.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from services.common.contracts.points import AccountCheck, VerifyReport
from services.common.paging import SEP, PageQuery, encode_cursor, fetch
from services.points.models import Account, CommunityScope, Posting

log = logging.getLogger(__name__)
POSTING_PAGE = 500
MAX_ACCOUNTS = 100  # per page of a verification
# A page stops taking accounts once it has read this many postings (one account is always
# summed whole: an account busier than this alone makes a longer page, docs/points.md).
POSTING_BUDGET = 20_000
ATTEMPTS = 3
AFTER = chr(ord(SEP) + 1)


@dataclass
class Sum:
    expected: int = 0
    postings: int = 0
    in_transit: int = 0
    left: list[str] = field(default_factory=list)  # marks of finished postings in `recent`


def _walk(key_field: str, acct: str) -> Iterator[dict]:
    """The postings on one side of an account, in pages (each a bounded range read)."""
    coll = Posting._get_collection()
    low, high = f"{acct}{SEP}", f"{acct}{AFTER}"
    while True:
        rows = list(coll.find({key_field: {"$gt": low, "$lt": high}},
                              {"amount": 1, "state": 1, "credit": 1, key_field: 1})
                    .sort(key_field, 1).limit(POSTING_PAGE))
        yield from rows
        if len(rows) < POSTING_PAGE:
            return
        low = rows[-1][key_field]


def _sum(acct: str, recent: set[str]) -> Sum:
    total = Sum()
    accounts = Account._get_collection()
    for key_field, sign in (("credit_key", 1), ("debit_key", -1)):
        for row in _walk(key_field, acct):
            total.postings += 1
            posted = row["state"] == "posted"
            if posted and row["_id"] in recent:  # its batched pull was lost (a crash)
                total.left.append(row["_id"])
            elif row["state"] == "refused" and "!" + row["_id"] in recent:
                total.left.append("!" + row["_id"])
            if not (posted or (row["state"] == "new" and row["_id"] in recent)):
                continue
            total.expected += sign * row["amount"]
            if sign < 0 and not posted:  # debited here: credited over there yet?
                there = accounts.find_one({"_id": row["credit"]}, {"recent": 1}) or {}
                if row["_id"] not in there.get("recent", []):
                    total.in_transit += row["amount"]
    return total


def check(acct: str) -> tuple[dict, Sum] | None:
    """(the account as read, its postings' sum), consistent with each other; None: busy."""
    coll = Account._get_collection()
    for _ in range(ATTEMPTS):
        before = coll.find_one({"_id": acct}, {"balance": 1, "seq": 1, "recent": 1})
        if before is None:
            return None
        total = _sum(acct, set(before.get("recent") or []))
        after = coll.find_one({"_id": acct}, {"seq": 1})
        if after is not None and after.get("seq") == before.get("seq"):
            if total.left:  # forget them now: their postings are finished
                coll.update_one({"_id": acct}, {"$pull": {"recent": {"$in": total.left}}})
            return before, total
    return None


def verify_page(community_id: str, cursor: str | None = None,
                limit: int = MAX_ACCOUNTS) -> VerifyReport:
    """One page of a community's accounts checked (bounded: `limit` accounts)."""
    docs, after = fetch(Account.objects.only("id", "page_key"), "page_key", community_id,
                        PageQuery(limit=min(limit, MAX_ACCOUNTS), cursor=cursor))
    report = VerifyReport(community_id=community_id, accounts=0, postings=0, drift=0,
                          balance_sum=0, in_transit=0, zero_sum=False, complete=after is None,
                          next_cursor=after)
    busy = 0
    for index, doc in enumerate(docs):
        if report.postings >= POSTING_BUDGET:  # enough for one page: the rest on the next
            report.next_cursor = encode_cursor(docs[index - 1].page_key)
            report.complete = False
            break
        found = check(doc.id)
        if found is None:
            busy += 1
            continue
        row, total = found
        report.accounts += 1
        report.postings += total.postings
        report.balance_sum += int(row["balance"])
        report.in_transit += total.in_transit
        if int(row["balance"]) != total.expected:
            report.drift += abs(int(row["balance"]) - total.expected)
            report.mismatched.append(AccountCheck(account_id=doc.id, balance=row["balance"],
                                                  expected=total.expected))
    report.busy = busy
    report.complete = report.complete and not busy
    report.zero_sum = report.complete and cursor is None and (
        report.balance_sum + report.in_transit == 0)
    return report


def verify_community(community_id: str, max_pages: int = 1000) -> VerifyReport:
    """Every page of a community, summed (the CLI's and the drift gauge's run)."""
    whole: VerifyReport | None = None
    cursor: str | None = None
    for _ in range(max_pages):
        page = verify_page(community_id, cursor)
        if whole is None:
            whole = page
        else:
            whole.accounts += page.accounts
            whole.postings += page.postings
            whole.drift += page.drift
            whole.mismatched = (whole.mismatched + page.mismatched)[:100]
            whole.balance_sum += page.balance_sum
            whole.in_transit += page.in_transit
            whole.busy += page.busy
        cursor = page.next_cursor
        if cursor is None:
            break
    assert whole is not None
    whole.next_cursor = cursor
    whole.complete = cursor is None and not whole.busy
    whole.zero_sum = whole.complete and whole.balance_sum + whole.in_transit == 0
    return whole


def refresh_drift(batch: int = 20) -> None:
    """Verify the next `batch` communities (round robin, resumed from a stored mark) and set
    the drift gauge: Σ |balance − Σ postings|, +1 when the books do not sum to zero."""
    from services.points import metrics
    from services.points.models import PointsMark

    mark = PointsMark.objects(id="verify").first() or PointsMark(id="verify")
    ids = communities(mark.after, batch)
    mark.after = ids[-1] if len(ids) == batch else ""
    mark.save()
    for community_id in ids:
        report = verify_community(community_id)
        drift = report.drift + (0 if report.zero_sum or not report.complete else 1)
        metrics.LEDGER_DRIFT.labels(community_id).set(drift)
        if drift:
            log.error("points ledger drift in %s: %s", community_id, report.model_dump_json())


def communities(after: str = "", limit: int = 100) -> list[str]:
    """Community ids after `after`, from the read model of identity's communities (a
    district has hundreds: a range on `_id` over them is cheap at that size)."""
    rows = CommunityScope._get_collection().find({"_id": {"$gt": after}}, {"_id": 1}).sort(
        "_id", 1).limit(limit)
    return [row["_id"] for row in rows]


def main(argv: list[str] | None = None) -> int:
    from services.common.config import Settings
    from services.common.store import connect
    from services.points.models import ALIAS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--community", action="append", help="community id (default: all)")
    args = parser.parse_args(argv)
    connect(ALIAS, Settings())
    targets = args.community or _all_communities()
    drift = 0
    for community_id in targets:
        report = verify_community(community_id)
        drift += report.drift + (0 if report.zero_sum else 1)
        print(report.model_dump_json())
    return 1 if drift else 0


def _all_communities() -> list[str]:
    found: list[str] = []
    while batch := communities(found[-1] if found else ""):
        found += batch
    return found


if __name__ == "__main__":
    sys.exit(main())
