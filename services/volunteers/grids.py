"""The read model of dispatch's grid tree (网格), from `grid.changed` / `grid.removed` and a
one-off backfill through dispatch's `grid_states` (as intake's `grids.py`): matching
measures nearness on it without asking dispatch."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.common.contracts.dispatch import GridRemoved, GridState
from services.common.paging import MAX_PAGE, Page
from services.volunteers.models import VolunteerGrid, VolunteerMark

log = logging.getLogger(__name__)
BACKFILL = "grid_backfill"


def apply_state(state: GridState) -> VolunteerGrid | None:
    return _upsert(state.grid_id, state.version, {
        "community_id": state.community_id, "parent_id": state.parent_id,
        "depth": state.depth, "removed": False})


def apply_removal(event: GridRemoved) -> VolunteerGrid | None:
    return _upsert(event.grid_id, event.version, {
        "community_id": event.community_id, "parent_id": None, "depth": 0, "removed": True})


def _upsert(grid_id: str, version: int, fields: dict[str, Any]) -> VolunteerGrid | None:
    """Keep it unless this version or a newer one is kept (then None: nothing changed)."""
    try:
        VolunteerGrid._get_collection().update_one(
            {"_id": grid_id, "version": {"$lt": version}},
            {"$set": fields | {"version": version, "changed_ts": time.time()}}, upsert=True)
    except DuplicateKeyError:  # a redelivery or a late event: a newer version is stored
        return None
    return VolunteerGrid.objects(id=grid_id).first()


def backfill(fetch_page: Callable[[dict], dict]) -> int:
    """Copy every grid dispatch has, once (those made before this service listened)."""
    if VolunteerMark.objects(id=BACKFILL).first() is not None:
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
    with contextlib.suppress(Exception):
        VolunteerMark(id=BACKFILL).save(force_insert=True)
    log.info("grid backfill: %d grids copied from dispatch", copied)
    return copied
