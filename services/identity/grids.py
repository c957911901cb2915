"""Identity's read model of dispatch's grid registry (the grids an account may be placed in):
kept from `grid.changed`/`grid.removed`, seeded once from `dispatch.grid_states`, read when an
account is created by `_id` without asking dispatch (the ordering rules: `services.common.mirror`).
"""

from __future__ import annotations

from services.common.contracts.dispatch import GridState
from services.common.errors import InvalidInput
from services.common.mirror import Mirror

GRIDS = Mirror("identity", "grid")


def entry_of(item: dict) -> tuple[str, str, int, bool, str | None]:
    state = GridState.model_validate(item)
    return state.community_id, state.grid_id, state.version, False, state.name


def check(community_id: str | None, grid_id: str | None) -> None:
    """An account's grid is a grid of its community, or a 422 naming `grid_id`."""
    if not grid_id:
        return
    if not community_id:
        raise InvalidInput("a grid belongs to a community",
                           {"grid_id": "only for an account of a community"})
    if GRIDS.check(community_id, grid_id) is False:
        raise InvalidInput(f"unknown grid {grid_id!r}",
                           {"grid_id": "not a grid of this community"})
