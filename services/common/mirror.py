"""A read model of another service's named entries (intake's categories for dispatch,
dispatch's grids for identity): kept from the owner's events, seeded once by a bounded page
walk of the owner's `<entries>_states` RPC, and asked on a write path by `_id` reads only.

    grids = Mirror("identity", "grid")
    grids.apply(community_id, grid_id, version, removed=False, name="一网格")  # an event
    grids.backfill(lambda q: dispatch.grid_states(system, q), to_entry)      # a timer
    grids.check(community_id, grid_id)  # True known, False unknown, None: not primed

Ordering. An entry may be named before its event arrives (a fresh start, a community just
created). The mirror is *primed* for a community once the one-off backfill has finished AND
at least one entry of that community has been applied: only then is an unknown entry a
refusal. Before that, the check answers None and the caller accepts the name as given (and
logs it): refusing would make the write depend on the owner being up and caught up, which is
the wait the platform rules out. The owner announces a community's first entries (the seeded
catalogue, the root grid) as soon as it learns of the community, so the lenient window is the
relay's latency for a new community, or the owner's downtime at a first start.

Versions: the owner's entry version grows with every change; an older or repeated event is a
no-op (the conditional upsert), so redeliveries and reordering never undo a newer state.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import mongoengine as me
from pymongo.errors import DuplicateKeyError

log = logging.getLogger(__name__)

MAX_PAGES = 1000  # a backfill walks at most this many pages (100 000 entries) per attempt


@functools.cache
def entry_document(alias: str, kind: str) -> type[me.Document]:
    """The service's copy of another's `kind` entries: "<community>:<key>" → version, removed."""
    return type(f"{alias.title()}{kind.title()}Mirror", (me.Document,), {
        "meta": {"db_alias": alias, "collection": f"{kind}_mirror", "indexes": ["community_id"]},
        "id": me.StringField(primary_key=True),
        "community_id": me.StringField(required=True),
        "key": me.StringField(required=True),
        "name": me.StringField(),
        "removed": me.BooleanField(default=False),
        "version": me.IntField(required=True),
    })


@functools.cache
def mark_document(alias: str, kind: str) -> type[me.Document]:
    """Primed communities ("c:<id>") and the finished backfill ("backfill"), by `_id`."""
    return type(f"{alias.title()}{kind.title()}MirrorMark", (me.Document,), {
        "meta": {"db_alias": alias, "collection": f"{kind}_mirror_marks"},
        "id": me.StringField(primary_key=True),
        "at": me.FloatField(),
        "revision": me.IntField(default=0),  # bumped with every applied entry (caches follow)
    })


class Mirror:
    def __init__(self, alias: str, kind: str) -> None:
        self.kind = kind
        self.entries = entry_document(alias, kind)
        self.marks = mark_document(alias, kind)

    @property
    def documents(self) -> list[type[me.Document]]:
        return [self.entries, self.marks]

    def apply(self, community_id: str, key: str, version: int, removed: bool = False,
              name: str | None = None) -> None:
        """Keep the entry unless this version or a newer one is already kept."""
        # A DuplicateKeyError: this version or a newer one is stored (a redelivery, a late event).
        with contextlib.suppress(DuplicateKeyError):
            self.entries._get_collection().update_one(
                {"_id": f"{community_id}:{key}", "version": {"$lt": version}},
                {"$set": {"community_id": community_id, "key": key, "name": name,
                          "removed": removed, "version": version}}, upsert=True)
        self._mark(f"c:{community_id}")

    def _mark(self, mark_id: str) -> None:
        self.marks._get_collection().update_one(
            {"_id": mark_id}, {"$inc": {"revision": 1}, "$set": {"at": time.time()}}, upsert=True)

    def revision(self, community_id: str) -> int | None:
        """The community's revision (None: nothing applied for it yet), one read by `_id`."""
        mark = self.marks.objects(id=f"c:{community_id}").first()
        return mark.revision if mark is not None else None

    def names(self, community_id: str, limit: int) -> list[str]:
        """The names of the community's live entries (one indexed equality, bounded)."""
        docs = self.entries.objects(community_id=community_id).only("name", "removed").limit(limit)
        return [d.name for d in docs if d.name and not d.removed]

    def primed(self, community_id: str) -> bool:
        """Two reads by `_id`, asked only when an entry is not found (the refusal path)."""
        return (self.marks.objects(id="backfill").first() is not None
                and self.marks.objects(id=f"c:{community_id}").first() is not None)

    def check(self, community_id: str, key: str) -> bool | None:
        """True: a live entry of the community; False: unknown, removed or another
        community's; None: the mirror is not primed for the community (accept, see above)."""
        entry = self.entries.objects(id=f"{community_id}:{key}").first()
        if entry is not None and not entry.removed:
            return True
        if self.primed(community_id):
            return False
        log.info("%s %r of %s not checked: the read model is not primed for it yet",
                 self.kind, key, community_id)
        return None

    def backfill(self, fetch_page: Callable[[dict], dict],
                 to_entry: Callable[[dict], tuple[str, str, int, bool, str | None] | None]) -> int:
        """Copy every entry the owner has, once; `fetch_page(query)` is its states RPC (with a
        timeout: an owner that is down raises, and the next attempt starts over). Entries
        changed meanwhile arrive as events too; versions keep the newest either way."""
        if self.marks.objects(id="backfill").first() is not None:
            return 0
        copied, cursor = 0, None
        for _ in range(MAX_PAGES):
            page: dict[str, Any] = fetch_page({"limit": 100, "cursor": cursor})
            for item in page["items"]:
                entry = to_entry(item)  # None: not an entry of a community (skipped)
                if entry is not None:
                    self.apply(*entry)
            copied += len(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        else:
            raise RuntimeError(f"{self.kind} backfill: more than {MAX_PAGES} pages")
        self._mark("backfill")
        log.info("%s backfill: %d entries copied", self.kind, copied)
        return copied
