"""Deliberation's read model of dispatch's grids (网格): a topic from the grid joint meeting
(网格联席会) names its grid, checked here by `_id` without asking dispatch. Kept from
`grid.changed` / `grid.removed`, seeded once from `dispatch.grid_states` (the ordering
rules, and the lenient window before the copy is primed: `services.common.mirror`)."""

from __future__ import annotations

import logging

from services.common.contracts.dispatch import GridState
from services.common.errors import InvalidInput
from services.common.mirror import Mirror

log = logging.getLogger(__name__)
GRIDS = Mirror("deliberation", "grid")


def entry_of(item: dict) -> tuple[str, str, int, bool, str | None]:
    state = GridState.model_validate(item)
    return state.community_id, state.grid_id, state.version, False, state.name


def check(community_id: str, grid_id: str) -> None:
    """A grid of the topic's community, or a 422 naming `grid_id` (not primed yet: taken as
    given, and logged)."""
    known = GRIDS.check(community_id, grid_id)
    if known is False:
        raise InvalidInput(f"unknown grid {grid_id!r}",
                           {"grid_id": "not a grid of this community"})
    if known is None:
        log.info("grid %s of %s taken unchecked: the grid copy is not primed", grid_id,
                 community_id)
