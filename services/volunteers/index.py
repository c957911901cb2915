"""The per-process match index: loaded at start-up in bounded pages, kept current.

Each replica keeps its own `MatchIndex`. Its own writes put the profile at once; what
other replicas wrote (and grid events they applied) it picks up by a range on the one
indexed `changed_ts` of profiles and grids every `CATCH_UP_SECONDS`, in pages of `PAGE`:
the same query that loads everything at start (from 0). A profile without consent to be
contacted is not a candidate.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from nameko.extensions import DependencyProvider

from services.common.errors import Unavailable
from services.volunteers.domain.ranking import MatchIndex
from services.volunteers.domain.scoring import Candidate, GridNode
from services.volunteers.models import Profile, VolunteerGrid

log = logging.getLogger(__name__)
PAGE = 2000
CATCH_UP_SECONDS = 1.0
MATCHABLE = ("volunteer", "party_member", "operator", "building_head")


def candidate(row: dict[str, Any]) -> Candidate | None:
    """A stored profile (its raw row: the start-up load skips building documents)."""
    if not row.get("consent") or not any(k in MATCHABLE for k in row.get("kinds", ())):
        return None
    windows = tuple(dict(w) for w in row.get("windows", ()))
    exceptions = tuple(dict(e) for e in row.get("exceptions", ()))
    return Candidate(
        account_id=row["_id"], community_id=row["community_id"],
        street_id=row.get("street_id"), grid_id=row.get("grid_id"),
        skills=tuple(row.get("skills", ())),
        certified=tuple(c["skill"] for c in row.get("certifications", ()) if c.get("verified")),
        windows=windows, exceptions=exceptions, load=row.get("load") or 0,
        rating_sum=row.get("rating_sum") or 0.0, rating_count=row.get("rating_count") or 0)


class LiveIndex:
    """A `MatchIndex` and the high-water marks of what it has read from the store."""

    def __init__(self) -> None:
        self.index = MatchIndex()
        self.profile_mark = 0.0
        self.grid_mark = 0.0
        self.loaded_seconds: float | None = None
        # The `changed_ts` of each row applied: the catch-up range starts at the last mark
        # inclusive (writes can share an instant), so the rows at the mark come back.
        self._applied: dict[str, float] = {}

    @property
    def ready(self) -> bool:
        return self.loaded_seconds is not None

    def put_profile(self, doc: Profile | dict[str, Any]) -> None:
        """A profile this process wrote (a document) or read (a raw row); an older row than
        the one applied (the load read it before this process's own write) is skipped."""
        row = doc if isinstance(doc, dict) else doc.to_mongo().to_dict()
        key = f"Profile:{row['_id']}"
        if row.get("changed_ts", 0.0) < self._applied.get(key, -1.0):
            return
        self._applied[key] = row.get("changed_ts", 0.0)
        cand = candidate(row)
        if cand is None:
            self.index.remove(row["_id"])
        else:
            self.index.put(cand)

    def put_grid(self, view: VolunteerGrid | dict[str, Any]) -> None:
        row = view if isinstance(view, dict) else view.to_mongo().to_dict()
        if row.get("removed"):
            self.index.remove_grid(row["_id"], row["community_id"])
        else:
            self.index.put_grid(GridNode(row["_id"], row["community_id"], row.get("parent_id"),
                                         row["depth"]))

    def _pages(self, doc_cls: Any, mark: float, apply: Any) -> float:
        collection = doc_cls._get_collection()
        # Whole rows: a projection is slower on nx-27017 (1.5 s against 0.8 s a page).
        while True:
            page = list(collection.find({"changed_ts": {"$gte": mark}}).sort("changed_ts", 1)
                        .limit(PAGE))
            for row in page:
                key = f"{doc_cls.__name__}:{row['_id']}"
                if row["changed_ts"] > self._applied.get(key, -1.0):
                    apply(row)
                    self._applied[key] = row["changed_ts"]
            if len(page) < PAGE:
                return page[-1]["changed_ts"] if page else mark
            last = page[-1]["changed_ts"]
            mark = last if last > mark else last + 1e-6  # a page of one instant: step past

    def catch_up(self) -> None:
        """Read what changed since the marks (grids first: profiles index under them).
        Until the start-up load is done the timer's catch-up waits for it."""
        self.grid_mark = self._pages(VolunteerGrid, self.grid_mark, self.put_grid)
        self.profile_mark = self._pages(Profile, self.profile_mark, self.put_profile)

    def require_ready(self) -> None:
        if not self.ready:
            raise Unavailable("the matching index is still loading; retry shortly",
                              {"service": "volunteers"})

    def load(self) -> None:
        began = time.perf_counter()
        self.catch_up()
        self.loaded_seconds = time.perf_counter() - began
        # The index is long-lived: keep the cyclic collector from walking it on every
        # full collection (a pause that grows with the district otherwise).
        gc.freeze()
        log.info("match index: %d candidates, %d grids loaded in %.2f s", len(self.index),
                 len(self.index.grids), self.loaded_seconds)


class MatchIndexProvider(DependencyProvider):
    """One `LiveIndex` per container, loaded in the background when the container starts:
    the service answers everything else meanwhile; ranking answers 503 until it is loaded
    (`require_ready`), as a replica still starting would."""

    def setup(self) -> None:
        self.live = LiveIndex()

    def start(self) -> None:
        self.container.spawn_managed_thread(self.live.load, identifier="match-index-load")

    def get_dependency(self, worker_ctx: Any) -> LiveIndex:
        return self.live
