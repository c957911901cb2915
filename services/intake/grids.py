"""Intake's read model of dispatch's grid registry (网格): kept from dispatch's grid events
and a one-off backfill, read on the submission path without asking dispatch.

Placement follows the registry's own rules (`services.common.geometry.locate`): the
deepest grid containing the point, else the longest address key, else the root; a
point outside the root's polygon is outside the community.
"""

from __future__ import annotations

import collections
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nameko.extensions import DependencyProvider
from pymongo.errors import DuplicateKeyError

from services.common import geometry
from services.common.contracts.dispatch import GridRemoved, GridState
from services.common.paging import MAX_PAGE, Page
from services.intake.models import GridSet, GridView, Mark

log = logging.getLogger(__name__)

BACKFILL = "grid_backfill"


def apply_state(state: GridState) -> None:
    """Keep the grid unless this version or a newer one is already kept."""
    _upsert(state.community_id, state.grid_id, state.version, {
        "depth": state.depth, "is_root": state.is_root, "polygon": state.polygon or [],
        "addresses": list(state.addresses), "removed": False})


def apply_removal(event: GridRemoved) -> None:
    _upsert(event.community_id, event.grid_id, event.version,
            {"depth": 0, "is_root": False, "polygon": [], "addresses": [], "removed": True})


def _upsert(community_id: str, grid_id: str, version: int, fields: dict[str, Any]) -> None:
    # A DuplicateKeyError: this version or a newer one is stored (a redelivery, a late event).
    with contextlib.suppress(DuplicateKeyError):
        GridView._get_collection().update_one(
            {"_id": grid_id, "version": {"$lt": version}},
            {"$set": fields | {"community_id": community_id, "version": version}}, upsert=True)
    # Bumped even then: a crash between the two writes must not leave caches stale.
    GridSet._get_collection().update_one({"_id": community_id}, {"$inc": {"revision": 1}},
                                         upsert=True)


def backfill(fetch_page: Callable[[dict], dict]) -> int:
    """Copy every grid dispatch has, once (the grids made before intake listened).

    `fetch_page(query)` is dispatch's `grid_states` (with a timeout). Grids changed
    meanwhile arrive as events too; versions keep the newest either way.
    """
    if Mark.objects(id=BACKFILL).first() is not None:
        return 0
    copied, cursor = 0, None
    while True:
        page = Page[GridState].model_validate(fetch_page({"limit": MAX_PAGE, "cursor": cursor}))
        for state in page.items:
            apply_state(state)
        copied += len(page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    Mark(id=BACKFILL).save()
    log.info("grid backfill: %d grids copied from dispatch", copied)
    return copied


@dataclass(frozen=True)
class CommunityGrids:
    revision: int
    root_id: str | None
    boundary: geometry.Polygon | None
    shapes: list[geometry.GridShape]


class GridLocator:
    """Places locations; each process caches a community's grids until its revision moves."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._cache: collections.OrderedDict[str, CommunityGrids] = collections.OrderedDict()

    def locate(self, community_id: str, lat: float | None, lng: float | None,
               address: str | None) -> tuple[str | None, bool]:
        """(grid id or None, inside the community); no grids known: (None, True)."""
        grids = self._grids(community_id)
        if grids is None:
            return None, True
        return geometry.locate(grids.shapes, grids.root_id, grids.boundary, lat, lng, address)

    def _grids(self, community_id: str) -> CommunityGrids | None:
        current = GridSet.objects(id=community_id).first()
        if current is None:
            return None
        cached = self._cache.get(community_id)
        if cached is not None and cached.revision == current.revision:
            self._cache.move_to_end(community_id)
            return cached
        docs = [g for g in GridView.objects(community_id=community_id) if not g.removed]
        root = next((g for g in docs if g.is_root), None)
        loaded = CommunityGrids(
            revision=current.revision, root_id=root.id if root else None,
            boundary=root.polygon if root and root.polygon else None,
            shapes=[geometry.GridShape(g.id, g.depth, g.polygon or None, tuple(g.addresses))
                    for g in docs if not g.is_root])
        self._cache[community_id] = loaded
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return loaded


class GridReadModel(DependencyProvider):
    """The service's `GridLocator` (one per container: its cache outlives workers)."""

    def setup(self) -> None:
        self.locator = GridLocator()

    def get_dependency(self, worker_ctx: Any) -> GridLocator:
        return self.locator
