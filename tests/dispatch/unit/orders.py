"""A work order as a value, and callers, for the pure rule tests (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.caller import Caller
from services.common.contracts.dispatch import OrderState
from services.common.contracts.workflow import Level
from services.dispatch.domain.order import WorkOrder

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
BASE = WorkOrder(
    id="o-1", district_id="d", street_id="s", community_id="c", level=Level.grid,
    state=OrderState.open, category="road", urgency="normal", summary="路灯不亮",
    opened_at=NOW, created_at=NOW, response_hours=2.0, resolution_hours=24.0, grid_id="g3",
    grid_chain=("g3", "g2", "root"), reached_grids=("g3",), reached_levels=(Level.grid,),
    departments=("police",), response_due_at=NOW + 2 * HOUR,
    resolution_due_at=NOW + 24 * HOUR)


def order(**changes: Any) -> WorkOrder:
    return replace(BASE, **changes)


def held(by: str = "u-gw", state: OrderState = OrderState.claimed, **changes: Any) -> WorkOrder:
    return order(state=state, claimed_by=by, claimed_at=NOW, **changes)


def who(role: str, user_id: str = "u", **extra: Any) -> Caller:
    return Caller(**{"user_id": user_id, "role": role, "district_id": "d", "street_id": "s",
                     "community_id": "c", **extra})


GRID_WORKER = who("grid_worker", "u-gw", grid_id="g3")
ADMIN = who("community_admin", "u-admin")
VOLUNTEER = who("volunteer", "u-v")
POLICE = who("department", "u-police", department_id="police")
