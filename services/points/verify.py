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
import base64
import binascii
import json
import logging
import sys
from dataclasses import dataclass

from services.common.contracts.points import AccountCheck, VerifyReport
from services.common.errors import InvalidInput
from services.common.paging import SEP, PageQuery, encode_cursor, fetch
from services.points.models import Account, CommunityScope, Posting

log = logging.getLogger(__name__)
POSTING_PAGE = 500
MAX_ACCOUNTS = 100  # per page of a verification
# A page stops once it has read about this many postings; an account longer than that is
# walked over several pages, resumed from the cursor on its posting key (docs/points.md).
POSTING_BUDGET = 20_000
ATTEMPTS = 3
AFTER = chr(ord(SEP) + 1)


@dataclass
class Walk:
    """One account's sum, possibly over several pages: resumed after `after` (the last
    posting key summed, without the account's prefix) on `side`, while `seq` holds."""

    account: str
    seq: int | None = None
    side: int = 0  # index in SIDES
    after: str | None = None
    expected: int = 0
    postings: int = 0
    in_transit: int = 0
    attempts: int = 0  # restarts because seq moved (ATTEMPTS: the account is busy)

    def restarted(self) -> Walk:
        return Walk(self.account, attempts=self.attempts + 1)


SIDES = (("credit_key", 1), ("debit_key", -1))


def _rows(key_field: str, acct: str, after: str | None, limit: int) -> list[dict]:
    """Up to `limit` postings on one side of an account after `after` (a range read)."""
    low = f"{acct}{SEP}{after}" if after is not None else f"{acct}{SEP}"
    return list(Posting._get_collection().find(
        {key_field: {"$gt": low, "$lt": f"{acct}{AFTER}"}},
        {"amount": 1, "state": 1, "credit": 1, key_field: 1}).sort(key_field, 1).limit(limit))


def _sum_part(walk: Walk, recent: set[str], budget: int) -> tuple[int, list[str], bool]:
    """Sum the walk on from where it stopped, about `budget` postings at most (whole reads of
    POSTING_PAGE, at least one): (postings read, marks of finished postings left in
    `recent`, whether the account is summed whole)."""
    accounts = Account._get_collection()
    read, left = 0, []
    while walk.side < len(SIDES):
        key_field, sign = SIDES[walk.side]
        if read and read + POSTING_PAGE > budget:
            return read, left, False
        rows = _rows(key_field, walk.account, walk.after, POSTING_PAGE)
        for row in rows:
            read += 1
            walk.postings += 1
            posted = row["state"] == "posted"
            if posted and row["_id"] in recent:  # its batched pull was lost (a crash)
                left.append(row["_id"])
            elif row["state"] == "refused" and "!" + row["_id"] in recent:
                left.append("!" + row["_id"])
            if not (posted or (row["state"] == "new" and row["_id"] in recent)):
                continue
            walk.expected += sign * row["amount"]
            if sign < 0 and not posted:  # debited here: credited over there yet?
                there = accounts.find_one({"_id": row["credit"]}, {"recent": 1}) or {}
                if row["_id"] not in there.get("recent", []):
                    walk.in_transit += row["amount"]
        if len(rows) < POSTING_PAGE:
            walk.side, walk.after = walk.side + 1, None
        else:
            walk.after = rows[-1][key_field].removeprefix(f"{walk.account}{SEP}")
    return read, left, True


def check(acct: str, walk: Walk | None = None,
          budget: int | None = None) -> tuple[int, dict | None, Walk | None]:
    """Sum one account within `budget` postings (None: whole): (postings read, the account
    as read, the finished walk) consistent with each other; (read, None, walk): unfinished,
    resume it on the next page; (read, None, None): busy (seq kept moving) or gone. A walk
    over several pages holds only while the account's `seq` does not move between them."""
    coll = Account._get_collection()
    walk = walk or Walk(acct)
    read = 0
    while walk.attempts < ATTEMPTS:
        before = coll.find_one({"_id": acct}, {"balance": 1, "seq": 1, "recent": 1})
        if before is None:
            return read, None, None
        if walk.seq is not None and walk.seq != before.get("seq"):
            walk = walk.restarted()  # moved since the previous page's part
            continue
        walk.seq = before.get("seq")
        left_budget = 1 << 62 if budget is None else max(budget - read, 1)
        got, left, finished = _sum_part(walk, set(before.get("recent") or []), left_budget)
        read += got
        after = coll.find_one({"_id": acct}, {"seq": 1})
        if after is None or after.get("seq") != before.get("seq"):
            walk = walk.restarted()
            continue
        if left:  # forget them now: their postings are finished
            coll.update_one({"_id": acct}, {"$pull": {"recent": {"$in": left}}})
        return read, (before if finished else None), walk
    return read, None, None


def _encode(accounts_cursor: str | None, walk: Walk) -> str:
    state = json.dumps([walk.account, walk.seq, walk.side, walk.after, walk.expected,
                        walk.postings, walk.in_transit, walk.attempts], separators=(",", ":"))
    return f"{accounts_cursor or ''}.{encode_cursor(state)}"


def _decode(community_id: str, cursor: str | None) -> tuple[str | None, Walk | None]:
    """(the accounts' page cursor, the walk in progress) of a verification cursor."""
    if not cursor or "." not in cursor:
        return cursor, None
    accounts_cursor, state = cursor.split(".", 1)
    try:
        raw = base64.urlsafe_b64decode(state + "=" * (-len(state) % 4)).decode()
        fields = json.loads(raw)
        if not isinstance(fields, list) or len(fields) != 8:
            raise ValueError(raw)
        walk = Walk(*fields)
        numbers = (walk.side, walk.expected, walk.postings, walk.in_transit, walk.attempts)
        if not (isinstance(walk.account, str) and walk.account.startswith(f"acct:{community_id}:")
                and isinstance(walk.seq, int | None) and isinstance(walk.after, str | None)
                and all(type(n) is int for n in numbers)
                and 0 <= walk.side <= len(SIDES) and 0 <= walk.attempts < ATTEMPTS):
            raise ValueError(raw)
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidInput("malformed cursor", {"cursor": "malformed"}) from exc
    return accounts_cursor or None, walk


def verify_page(community_id: str, cursor: str | None = None,
                limit: int = MAX_ACCOUNTS) -> VerifyReport:
    """One page of a community's accounts checked (bounded: `limit` accounts, and about
    POSTING_BUDGET postings read: an account longer than that is walked over pages)."""
    accounts_cursor, walk = _decode(community_id, cursor)
    docs, after = fetch(Account.objects.only("id", "page_key"), "page_key", community_id,
                        PageQuery(limit=min(limit, MAX_ACCOUNTS), cursor=accounts_cursor))
    report = VerifyReport(community_id=community_id, accounts=0, postings=0, drift=0,
                          balance_sum=0, in_transit=0, zero_sum=False, complete=after is None,
                          next_cursor=after)
    # The walk resumes when its account comes up: normally first, but an account created
    # meanwhile may sort before it (ids order the accounts); a walk whose account is gone
    # is simply not resumed.
    busy = read = 0
    for index, doc in enumerate(docs):
        here = encode_cursor(docs[index - 1].page_key) if index else accounts_cursor
        if read >= POSTING_BUDGET:  # enough for one page: the rest on the next
            report.next_cursor, report.complete = here, False
            break
        resumed = walk if walk is not None and walk.account == doc.id else None
        got, row, total = check(doc.id, resumed, POSTING_BUDGET - read)
        read += got
        if row is None and total is not None:  # the budget ran out inside this account
            report.next_cursor, report.complete = _encode(here, total), False
            break
        if row is None or total is None:
            busy += 1
            continue
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
