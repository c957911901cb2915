"""Intake's read model of the community's account names, for 公示 to remove them from
published text: kept from identity's `user.created` (with the display name), seeded once
from `identity.account_names`, read on the public list without asking identity.

Ordering: an account's name reaches intake by its event (the relay's latency); until then,
and before the backfill at a first start, the list still removes names by pattern
(`masking.py`). The list is read at request time, so a name known later is removed from
every later answer, including issues published before the account existed.
"""

from __future__ import annotations

import collections
from typing import Any

from nameko.extensions import DependencyProvider

from services.common.contracts.identity import AccountName
from services.common.mirror import Mirror
from services.intake.names import NameIndex

ACCOUNTS = Mirror("intake", "account")
MAX_NAMES = 20_000  # a community's accounts read at most (one indexed equality)


def entry_of(item: dict) -> tuple[str, str, int, bool, str | None] | None:
    account = AccountName.model_validate(item)
    if not account.community_id:
        return None  # street and district staff: no community's text names them as residents
    return account.community_id, account.user_id, account.version, False, account.display_name


class NameBook:
    """Each process keeps a community's `NameIndex` until the community's revision moves."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._cache: collections.OrderedDict[str, tuple[int, NameIndex]] = (
            collections.OrderedDict())

    def index(self, community_id: str) -> NameIndex:
        revision = ACCOUNTS.revision(community_id)
        if revision is None:
            return NameIndex(())
        cached = self._cache.get(community_id)
        if cached is not None and cached[0] == revision:
            self._cache.move_to_end(community_id)
            return cached[1]
        built = NameIndex(ACCOUNTS.names(community_id, MAX_NAMES))
        self._cache[community_id] = (revision, built)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return built


class AccountNames(DependencyProvider):
    """The service's `NameBook` (one per container: its cache outlives workers)."""

    def setup(self) -> None:
        self.book = NameBook()

    def get_dependency(self, worker_ctx: Any) -> NameBook:
        return self.book
