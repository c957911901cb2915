"""The double-entry ledger, without multi-document transactions (nx-27017 has none that hold
under concurrency, and every write here is one document).

A posting moves `amount` from a debit account to a credit account. It is applied in steps,
each one a single-document write that is safe to repeat:

1. insert the `Posting` (state new, `_id` from its idempotency key: a replay finds it);
2. debit: one guarded `$inc` on the debit account, `{balance >= amount, recent ∌ id}`, that
   also pushes the posting id into the account's `recent` (or, when the balance is short,
   pushes "!<id>": the refusal is recorded where it was decided, once);
3. credit: one guarded `$inc` on the credit account, `{recent ∌ id}`, pushing the id too;
4. mark the posting posted (conditional on state new);
5. pull the id from both accounts' `recent` (batched per account: `Aftercare`).

A crash anywhere leaves the posting new with its `open_ts` (a lease) in the past; the
sweeper (a PollTimer on that indexed float) claims it and runs the same steps, which skip
what `recent` says is done. Nothing is lost (every step is re-run) and nothing is doubled
(each side's write is conditional on its own record of the id). Verify reads a side as
applied when the posting is posted or the id is in that account's `recent`; a posting
debited and not yet credited is "in transit".

Step 5 forgets the ids, so a writer that read "new" long ago must not write a side after
someone else finished the posting. Every actor works under the posting's lease: it writes a
side only while its own clock is within `LEASE - MARGIN` of taking the lease, and the
sweeper takes a lease over only after it expired (docs/points.md: what this assumes).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.common.contracts.points import AccountKind, PostingReason, PostingState
from services.common.errors import Conflict
from services.common.paging import page_key
from services.points.models import Account, Posting

LEASE = 60.0  # seconds a posting's applier owns it; the sweeper takes over after
MARGIN = 30.0  # an applier stops writing this long before its lease ends
OVERDRAWN = frozenset({AccountKind.pool.value})  # the issuer's balance is what it issued, < 0
RANK_SPAN = 10**12


def account_id(community_id: str, kind: AccountKind, owner: str | None = None) -> str:
    return f"acct:{community_id}:{kind.value}" + (f":{owner}" if owner else "")


def kind_of(acct: str) -> str:
    return acct.split(":")[2]


def posting_id(key: str) -> str:
    return "pst-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def year_of(ts: float) -> int:
    return datetime.fromtimestamp(ts, UTC).year


def rank_key(community_id: str, earned: int, acct: str) -> str:
    return f"{community_id}|{RANK_SPAN - max(0, min(earned, RANK_SPAN - 1)):013d}|{acct}"


def ensure_account(community_id: str, kind: AccountKind, owner: str | None = None) -> str:
    """The account's id, the account made with balance 0 if it did not exist (an upsert)."""
    acct = account_id(community_id, kind, owner)
    Account._get_collection().update_one({"_id": acct}, {"$setOnInsert": {
        "community_id": community_id, "kind": kind.value, "owner_id": owner, "balance": 0,
        "earned": 0, "spent": 0, "expired": 0, "seq": 0, "recent": [],
        "page_key": page_key(community_id, 0, acct), "mask": "initial",
        "rank_key": rank_key(community_id, 0, acct)}}, upsert=True)
    return acct


@dataclass(frozen=True)
class Move:
    community_id: str
    debit: str
    credit: str
    amount: int
    reason: PostingReason
    source: str
    key: str  # idempotency: the same key is the same posting, once


def post(move: Move, now: float | None = None) -> Posting:
    """Record and apply a posting (or find the one its key made); returns it as it ended:
    posted, refused (the debit side had too little), or new (left to the sweeper)."""
    now = time.time() if now is None else now
    pid = posting_id(move.key)
    row = {"_id": pid, "key": move.key, "community_id": move.community_id,
           "debit": move.debit, "credit": move.credit, "amount": move.amount,
           "reason": move.reason.value, "source": move.source, "state": "new",
           "created_ts": now, "open_ts": now + LEASE,
           "page_key": page_key(move.community_id, now, pid),
           "debit_key": page_key(move.debit, now, pid),
           "credit_key": page_key(move.credit, now, pid)}
    try:
        Posting._get_collection().insert_one(row)
    except DuplicateKeyError:
        found = Posting._get_collection().find_one({"_id": pid})
        if found is not None and found["state"] == PostingState.void.value:
            return Posting._from_son(found)  # the step was abandoned first: it stays undone
        if found is None or (found["debit"], found["credit"], found["amount"]) != (
                move.debit, move.credit, move.amount):
            raise Conflict("this idempotency key made another posting",
                           {"idempotency_key": "reused"}) from None
        return Posting._from_son(found)  # its own applier, or the sweeper, finishes it
    return apply(row, time.monotonic())


def posted_or_void(key: str, community_id: str) -> Posting | None:
    """The posting of `key`; if there is none, a tombstone is put on the key first, so a
    late post of it cannot slip in (None: the tombstone is in place, nothing was posted)."""
    fields = ("state", "amount")
    found = Posting.objects(id=posting_id(key)).only(*fields).first()
    if found is None and not void(key, community_id):
        found = Posting.objects(id=posting_id(key)).only(*fields).first()
    return found


def void(key: str, community_id: str, now: float | None = None) -> bool:
    """Reserve `key` for nothing (a step abandoned before it ran): True if the tombstone is
    in place, False if a real posting got the key first."""
    now = time.time() if now is None else now
    pid = posting_id(key)
    try:
        Posting._get_collection().insert_one({
            "_id": pid, "key": key, "community_id": community_id, "debit": "-", "credit": "-",
            "amount": 0, "reason": PostingReason.reversal.value, "source": "void",
            "state": PostingState.void.value, "created_ts": now})
    except DuplicateKeyError:
        found = Posting._get_collection().find_one({"_id": pid}, {"state": 1})
        return found is not None and found["state"] == PostingState.void.value
    return True


def _counters(row: dict, side: str) -> dict[str, int]:
    """What else the side's `$inc` moves: earned (rankings), spent, expired."""
    reason, amount = row["reason"], row["amount"]
    if side == "credit" and reason in ("earn", "award") and kind_of(row["credit"]) == "resident":
        # and by year: the expiry policy expires what a year earned (expiry.py)
        return {"earned": amount, f"earned_{year_of(row['created_ts'])}": amount}
    if side == "debit" and reason in ("redeem", "care"):  # spent from the hold
        return {"spent": amount}
    if side == "debit" and reason == "expire":
        return {"expired": amount}
    return {}


class LeaseLost(Exception):
    """The applier's lease is about to end: stop writing, the sweeper will finish."""


def apply(row: dict, leased_at: float) -> Posting:
    """Run the steps of a new posting under a lease taken at `leased_at` (monotonic)."""
    accounts = Account._get_collection()
    pid, amount = row["_id"], row["amount"]

    def in_lease() -> None:
        if time.monotonic() - leased_at > LEASE - MARGIN:
            raise LeaseLost(pid)

    try:
        in_lease()
        if not _debit(accounts, row, in_lease):
            _finish(row, PostingState.refused, ("!" + pid,))
            return Posting._from_son(row | {"state": PostingState.refused.value})
        in_lease()
        accounts.update_one({"_id": row["credit"], "recent": {"$nin": [pid]}},
                            {"$inc": {"balance": amount, "seq": 1, **_counters(row, "credit")},
                             "$push": {"recent": pid}})
    except LeaseLost:
        return Posting._from_son(row)
    _finish(row, PostingState.posted, (pid,))
    if _counters(row, "credit").get("earned"):
        AFTERCARE.rank(row["credit"])
    return Posting._from_son(row | {"state": PostingState.posted.value})


def _debit(accounts: Collection, row: dict, in_lease: Callable[[], None]) -> bool:
    """True once the debit side is applied (now or before), False once it is refused."""
    pid, amount = row["_id"], row["amount"]
    marks = [pid, "!" + pid]
    guard: dict = {"_id": row["debit"], "recent": {"$nin": marks}}
    if kind_of(row["debit"]) not in OVERDRAWN:
        guard["balance"] = {"$gte": amount}
    for _ in range(10):  # each miss is another writer's move; it ends in one of two answers
        done = accounts.update_one(guard, {"$inc": {"balance": -amount, "seq": 1,
                                                    **_counters(row, "debit")},
                                           "$push": {"recent": pid}})
        if done.modified_count:
            return True
        seen = accounts.find_one({"_id": row["debit"]}, {"recent": 1})
        if seen is None:  # no such account: nothing to take from
            return False
        if pid in seen["recent"]:
            return True
        if "!" + pid in seen["recent"]:
            return False
        in_lease()
        refused = accounts.update_one(
            {"_id": row["debit"], "recent": {"$nin": marks}, "balance": {"$lt": amount}},
            {"$push": {"recent": "!" + pid}})
        if refused.modified_count:
            return False
    raise LeaseLost(pid)  # an account this busy: the sweeper retries later


def _finish(row: dict, state: PostingState, marks: tuple[str, ...]) -> None:
    Posting._get_collection().update_one({"_id": row["_id"], "state": "new"},
                                         {"$set": {"state": state.value},
                                          "$unset": {"open_ts": ""}})
    for side in ("debit", "credit") if state is PostingState.posted else ("debit",):
        AFTERCARE.forget(row[side], marks)


class Aftercare:
    """What may wait after a posting is marked: pulling its ids from the accounts' `recent`
    (step 5) and re-keying the ranking. Batched per account, one `$pull` of many ids and one
    ranking refresh per flush, instead of two or three writes per posting (the store's
    round trips are the ledger's limit, docs/points.md). Waiting is safe: an id stays in
    `recent` only longer, and verify counts a posted posting whatever `recent` says. A
    crash loses the buffer, not a posting: verify pulls the ids of posted postings it
    finds left in a `recent` (`verify.check`).

    One per process (the applier and the timer that flushes share it)."""

    EAGER = 64  # ids buffered for one account before its flush is done inline

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._marks: dict[str, list[str]] = {}
        self._ranks: set[str] = set()

    def forget(self, acct: str, marks: tuple[str, ...]) -> None:
        with self._lock:
            pending = self._marks.setdefault(acct, [])
            pending.extend(marks)
            eager = len(pending) >= self.EAGER
        if eager:
            self.flush_account(acct)

    def rank(self, acct: str) -> None:
        with self._lock:
            self._ranks.add(acct)

    def flush_account(self, acct: str) -> None:
        with self._lock:
            marks = self._marks.pop(acct, [])
        if marks:
            Account._get_collection().update_one({"_id": acct},
                                                 {"$pull": {"recent": {"$in": marks}}})

    def flush(self) -> None:
        with self._lock:
            accounts, ranks = list(self._marks), self._ranks
            self._ranks = set()
        for acct in accounts:
            self.flush_account(acct)
        for acct in ranks:
            refresh_rank(acct)


AFTERCARE = Aftercare()


def refresh_rank(acct: str) -> None:
    """Re-key the ranking from the account's current `earned` (conditional on it, so a
    slower writer never puts an older figure back)."""
    coll = Account._get_collection()
    seen = coll.find_one({"_id": acct}, {"earned": 1, "community_id": 1})
    if seen:
        coll.update_one({"_id": acct, "earned": seen["earned"]}, {"$set": {
            "rank_key": rank_key(seen["community_id"], seen["earned"], acct)}})


def sweep(now: float | None = None, batch: int = 100) -> int:
    """Finish the postings whose applier's lease ran out (a crash, a lost lease)."""
    now = time.time() if now is None else now
    coll = Posting._get_collection()
    finished = 0
    for row in list(coll.find({"open_ts": {"$lte": now}}).sort("open_ts", 1).limit(batch)):
        claimed = coll.update_one({"_id": row["_id"], "state": "new", "open_ts": row["open_ts"]},
                                  {"$set": {"open_ts": now + LEASE}})
        if claimed.modified_count:
            apply(row, time.monotonic())
            finished += 1
    return finished


def balance(acct: str) -> int:
    row = Account._get_collection().find_one({"_id": acct}, {"balance": 1})
    return int(row["balance"]) if row else 0
