"""Events the volunteers service consumes: dispatch's grid changes (the nearness tree)."""

from __future__ import annotations

from services.common.contracts import Envelope
from services.common.contracts.dispatch import GridChanged, GridRemoved
from services.common.inbox import handles
from services.volunteers import grids


class EventHandlers:
    @handles("dispatch", "grid.changed")
    def on_grid_changed(self, envelope: Envelope) -> None:
        """Keep the grid (idempotent by version); this replica's index takes it at once."""
        changed: GridChanged = envelope.parsed()
        view = grids.apply_state(changed)
        if view is not None:
            self.matching.put_grid(view)

    @handles("dispatch", "grid.removed")
    def on_grid_removed(self, envelope: Envelope) -> None:
        removed: GridRemoved = envelope.parsed()
        view = grids.apply_removal(removed)
        if view is not None:
            self.matching.put_grid(view)
