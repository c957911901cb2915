"""The per-process match index: loaded at start-up in bounded pages, kept current.

Each replica keeps its own `MatchIndex`. Its own writes put the profile at once; what
other replicas wrote (and grid events they applied) it picks up by a range on the one
indexed `changed_ts` of profiles and grids every `CATCH_UP_SECONDS`, in pages of `PAGE`:
the same query that loads everything at start (from 0). A profile without consent to be
contacted is not a candidate.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from nameko.extensions import DependencyProvider

from services.volunteers.domain import availability
from services.volunteers.domain.ranking import MatchIndex
from services.volunteers.domain.scoring import Candidate, GridNode
from services.volunteers.models import GridView, Profile

log = logging.getLogger(__name__)
PAGE = 2000
CATCH_UP_SECONDS = 1.0
MATCHABLE = ("volunteer", "party_member", "operator", "building_head")


def candidate(doc: Profile) -> Candidate | None:
    if not doc.consent or not any(k in MATCHABLE for k in doc.kinds):
        return None
    windows = tuple(dict(w) for w in doc.windows)
    exceptions = tuple(dict(e) for e in doc.exceptions)
    return Candidate(
        account_id=doc.id, community_id=doc.community_id, street_id=doc.street_id,
        grid_id=doc.grid_id, skills=tuple(doc.skills),
        certified=tuple(c["skill"] for c in doc.certifications if c.get("verified")),
        windows=windows, exceptions=exceptions, load=doc.load or 0,
        rating_sum=doc.rating_sum or 0.0, rating_count=doc.rating_count or 0,
        mask=availability.hour_mask(windows),
        has_extra=any(e.get("available") for e in exceptions))


class LiveIndex:
    """A `MatchIndex` and the high-water marks of what it has read from the store."""

    def __init__(self) -> None:
        self.index = MatchIndex()
        self.profile_mark = 0.0
        self.grid_mark = 0.0
        self.loaded_seconds: float | None = None

    def put_profile(self, doc: Profile) -> None:
        cand = candidate(doc)
        if cand is None:
            self.index.remove(doc.id)
        else:
            self.index.put(cand)

    def put_grid(self, view: GridView) -> None:
        if view.removed:
            self.index.remove_grid(view.id, view.community_id)
        else:
            self.index.put_grid(GridNode(view.id, view.community_id, view.parent_id,
                                         view.depth))

    def _pages(self, doc_cls: Any, mark: float, apply: Any) -> float:
        while True:
            page = list(doc_cls.objects(changed_ts__gte=mark).order_by("changed_ts")
                        .limit(PAGE))
            for doc in page:
                apply(doc)
            if len(page) < PAGE:
                return page[-1].changed_ts if page else mark
            last = page[-1].changed_ts
            mark = last if last > mark else last + 1e-6  # a page of one instant: step past

    def catch_up(self) -> None:
        """Read what changed since the marks (grids first: profiles index under them)."""
        self.grid_mark = self._pages(GridView, self.grid_mark, self.put_grid)
        self.profile_mark = self._pages(Profile, self.profile_mark, self.put_profile)

    def load(self) -> None:
        began = time.perf_counter()
        self.catch_up()
        self.loaded_seconds = time.perf_counter() - began
        log.info("match index: %d candidates, %d grids loaded in %.2f s", len(self.index),
                 len(self.index.grids), self.loaded_seconds)


class MatchIndexProvider(DependencyProvider):
    """One `LiveIndex` per container, loaded when the container starts."""

    def setup(self) -> None:
        self.live = LiveIndex()

    def start(self) -> None:
        self.live.load()

    def get_dependency(self, worker_ctx: Any) -> LiveIndex:
        return self.live
