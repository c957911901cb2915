"""Reading the books: balances, a resident's statement, a community's ledger, the published
ranking (公示) and a merchant's settlement statement. Every list is a bounded page."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime

from services.common.contracts.points import (
    AccountKind,
    BalanceOut,
    PostingOut,
    PostingPage,
    PublicationIn,
    RankingEntry,
    RankingOut,
    SettlementLine,
    SettlementOut,
    SettlementQuery,
)
from services.common.errors import InvalidInput
from services.common.paging import SEP, PageQuery, decode_cursor, encode_cursor, fetch
from services.points import domain, ledger
from services.points.models import Account, Posting, Redemption

AFTER = chr(ord(SEP) + 1)
MAX_SETTLEMENT = 5000  # lines in one statement; a longer period is split by the caller
RANKING = 50


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def balance(community_id: str, user_id: str) -> BalanceOut:
    coll = Account._get_collection()
    own = coll.find_one({"_id": ledger.account_id(community_id, AccountKind.resident,
                                                  user_id)}) or {}
    hold = coll.find_one({"_id": ledger.account_id(community_id, AccountKind.hold,
                                                   user_id)}) or {}
    return BalanceOut(community_id=community_id, user_id=user_id,
                      active=int(own.get("balance") or 0), locked=int(hold.get("balance") or 0),
                      spent=int(hold.get("spent") or 0), expired=int(own.get("expired") or 0))


def _posting(row: dict, direction: str | None = None) -> PostingOut:
    return PostingOut(id=row["_id"], community_id=row["community_id"], debit=row["debit"],
                      credit=row["credit"], amount=row["amount"], reason=row["reason"],
                      source=row["source"], state=row["state"],
                      created_at=_at(row["created_ts"]), direction=direction)


def statement(acct: str, query: PageQuery) -> PostingPage:
    """An account's postings, newest first: its credit and debit sides merged by their
    shared "<time>|<id>" suffix, one bounded range read on each key."""
    upper = f"{acct}{AFTER}"
    if query.cursor:
        upper = f"{acct}{SEP}{decode_cursor(query.cursor, 'st')[3:]}"
    coll = Posting._get_collection()
    rows: list[tuple[str, dict, str]] = []
    for key_field, direction in (("credit_key", "in"), ("debit_key", "out")):
        for row in coll.find({key_field: {"$gte": f"{acct}{SEP}", "$lt": upper}}).sort(
                key_field, -1).limit(query.limit + 1):
            if row["state"] in ("posted", "new"):
                rows.append((row[key_field][len(acct) + 1:], row, direction))
    rows.sort(key=lambda r: r[0], reverse=True)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    cursor = encode_cursor(f"st{SEP}{rows[-1][0]}") if more and rows else None
    return PostingPage(items=[_posting(r, d) for _, r, d in rows], next_cursor=cursor)


def ledger_page(community_id: str, query: PageQuery) -> PostingPage:
    docs, cursor = fetch(Posting.objects, "page_key", community_id, query)
    return PostingPage(items=[_posting(d.to_mongo().to_dict()) for d in docs
                              if d.state != "void"], next_cursor=cursor)


def set_publication(community_id: str, user_id: str, data: PublicationIn) -> None:
    acct = ledger.ensure_account(community_id, AccountKind.resident, user_id)
    fields = {"mask": data.mask.value}
    if data.display_name is not None:
        fields["display_name"] = data.display_name
    Account._get_collection().update_one({"_id": acct}, {"$set": fields})


def ranking(community_id: str) -> RankingOut:
    """The top earners of a community (earned and awarded), each named as they chose."""
    prefix = f"{community_id}{SEP}"
    rows = Account._get_collection().find(
        {"rank_key": {"$gte": prefix, "$lt": f"{community_id}{AFTER}"}},
        {"kind": 1, "earned": 1, "mask": 1, "display_name": 1, "owner_id": 1}).sort(
        "rank_key", 1).limit(RANKING * 2)
    entries: list[RankingEntry] = []
    for row in rows:
        if row.get("kind") != AccountKind.resident.value or not row.get("earned"):
            continue
        number = int(hashlib.sha256((row.get("owner_id") or "").encode()).hexdigest()[:8],
                     16) % 10000
        entries.append(RankingEntry(rank=len(entries) + 1, points=int(row["earned"]),
                                    name=domain.masked(row.get("display_name"),
                                                       row.get("mask") or "initial", number)))
        if len(entries) == RANKING:
            break
    return RankingOut(community_id=community_id, entries=entries)


def settlement(merchant_id: str, community_id: str, query: SettlementQuery) -> SettlementOut:
    """The confirmed redemptions of a merchant in a community over a period."""
    scope = f"{merchant_id}:{community_id}"
    if SEP in scope:
        raise InvalidInput("bad merchant", {"merchant_id": "invalid"})
    low = f"{scope}{SEP}{query.start.timestamp():017.6f}"
    high = f"{scope}{SEP}{query.end.timestamp():017.6f}"
    rows = list(Redemption._get_collection().find(
        {"settle_key": {"$gte": low, "$lt": high}},
        {"offer_id": 1, "price": 1, "confirmed_ts": 1, "settle_key": 1}).sort(
        "settle_key", 1).limit(MAX_SETTLEMENT + 1))
    complete = len(rows) <= MAX_SETTLEMENT
    rows = rows[:MAX_SETTLEMENT]
    lines = [SettlementLine(redemption_id=r["_id"], offer_id=r["offer_id"], price=r["price"],
                            confirmed_at=_at(r["confirmed_ts"])) for r in rows]
    return SettlementOut(merchant_id=merchant_id, community_id=community_id, start=query.start,
                         end=query.end, redemptions=len(lines),
                         points=sum(line.price for line in lines), lines=lines,
                         complete=complete)


def settlement_csv(statement: SettlementOut) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["redemption_id", "offer_id", "price", "confirmed_at"])
    for line in statement.lines:
        writer.writerow([line.redemption_id, line.offer_id, line.price,
                         line.confirmed_at.isoformat()])
    writer.writerow(["total", statement.redemptions, statement.points, ""])
    return out.getvalue()
