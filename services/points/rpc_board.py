"""五微 board figures (微积分): what the community's books say, in a few reads by key.

Earned: the community's pool issues every earned and awarded point and nothing credits it
back, so minus its balance is the community's issue, one read by `_id`. Redeemed: the
merchants' accounts are credited only by redemptions confirmed at their counters, so their
balances sum to what was spent: one bounded range on `page_key` (a community has a few
partner merchants; past `MAX_MERCHANTS` the figure says it is incomplete).
"""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.contracts.board import BoardQuery, PointsFigures
from services.common.contracts.points import AccountKind
from services.common.paging import page_key
from services.common.rpc import parse, replies
from services.points import ledger
from services.points.models import Account

MAX_MERCHANTS = 500


def _merchant_keys(community_id: str) -> tuple[str, str]:
    """The `page_key` range of the community's merchant accounts (`ensure_account`'s key)."""
    prefix = ledger.account_id(community_id, AccountKind.merchant) + ":"
    low = page_key(community_id, 0, prefix)
    return low, low[:-1] + chr(ord(low[-1]) + 1)


def figures(community_id: str) -> PointsFigures:
    accounts = Account._get_collection()
    pool = accounts.find_one({"_id": ledger.account_id(community_id, AccountKind.pool)},
                             {"balance": 1}) or {}
    low, high = _merchant_keys(community_id)
    merchants = list(accounts.find({"page_key": {"$gte": low, "$lt": high}},
                                   {"balance": 1}).limit(MAX_MERCHANTS + 1))
    return PointsFigures(community_id=community_id, earned=max(0, -int(pool.get("balance") or 0)),
                         redeemed=sum(int(m.get("balance") or 0)
                                      for m in merchants[:MAX_MERCHANTS]),
                         complete=len(merchants) <= MAX_MERCHANTS)


class BoardEntrypoints:
    @rpc
    @replies(PointsFigures)
    def board_figures(self, caller: dict | None, community_id: str) -> PointsFigures:
        """The points earned in the community and redeemed at its merchants (public)."""
        return figures(parse(BoardQuery, {"community_id": community_id}).community_id)
