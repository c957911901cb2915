"""The escalation ladder (上报): up the grid tree to the community, then street, then district."""

from __future__ import annotations

from services.common.contracts.workflow import LEVELS, Level
from services.common.errors import Conflict


def next_step(level: str, grid_id: str | None, grid_chain: list[str]) -> tuple[Level, str | None]:
    """Where an order goes when it leaves `level` at `grid_id`.

    `grid_chain` runs from the order's own grid up to the community's root grid.
    Inside the grid tree an order climbs grid by grid (level 3 → 2); from the
    last grid below the root it reaches the community (whose grid is the root).
    """
    current = Level(level)
    if current is Level.grid and grid_id in grid_chain:
        index = grid_chain.index(grid_id)
        if index + 1 < len(grid_chain) - 1:
            return Level.grid, grid_chain[index + 1]
        return Level.community, grid_chain[-1] if grid_chain else None
    position = LEVELS.index(current)
    if position + 1 >= len(LEVELS):
        raise Conflict("the district is the top of the ladder", {"level": level})
    return LEVELS[position + 1], grid_id


def above(level: str) -> Level:
    """The level one step above `level` (the district stays the district)."""
    position = LEVELS.index(Level(level))
    return LEVELS[min(position + 1, len(LEVELS) - 1)]


def rank(level: str) -> int:
    return LEVELS.index(Level(level))
