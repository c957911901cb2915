"""What an order's commit derives from its state: the scheduler's due time, its page keys in
each listing it belongs to, and its share of the community's figures (the tally)."""

from __future__ import annotations

from collections import Counter

from services.common.contracts.workflow import Level
from services.common.paging import page_key
from services.dispatch.domain import timers
from services.dispatch.domain.order import WorkOrder
from services.dispatch.domain.states import ACTIVE, OPEN_CLAIM

# One indexed key field per listing (services/common/paging.py); None: not in that listing.
LISTINGS = ("board_key", "state_key", "pool_key", "holder_key", "street_key", "district_key",
            "street_reached_key", "district_reached_key", "due_key")
# The deadline board pages newest first like every listing: its key's time is this less the
# resolution deadline, so the nearest deadline sorts first (and a page's cursor goes on).
FAR_TS = 9_999_999_999.0


def community_scope(community_id: str, *more: str) -> str:
    return ":".join(("c", community_id, *more))


def listing_scopes(order: WorkOrder) -> dict[str, str | None]:
    """The scope of each listing the order is in: its community's board (all, by state, the
    pool), its holder's orders, its street's and district's, and what reached them."""
    return {
        "board_key": community_scope(order.community_id),
        "state_key": community_scope(order.community_id, order.state.value),
        "pool_key": community_scope(order.community_id, "pool") if order.pool else None,
        "holder_key": f"m:{order.claimed_by}" if order.claimed_by
        and order.state in OPEN_CLAIM else None,
        "street_key": f"s:{order.street_id}",
        "district_key": f"d:{order.district_id}",
        "street_reached_key": f"s:{order.street_id}:street"
        if Level.street in order.reached_levels else None,
        "district_reached_key": f"d:{order.district_id}:district"
        if Level.district in order.reached_levels else None,
        "due_key": community_scope(order.community_id, "due")
        if order.state in ACTIVE and order.resolution_due_at else None,
    }


def derived(order: WorkOrder) -> dict[str, float | str | None]:
    """The fields written beside the state: `next_due_ts` (the scheduler's one float range),
    `resolution_due_ts`, and the page keys (newest first by creation; the deadline board's
    nearest resolution deadline first)."""
    due = timers.next_due(timers.watched(order))
    resolution = order.resolution_due_at
    at = order.created_at.timestamp()
    keys = {name: page_key(scope, FAR_TS - resolution.timestamp() if name == "due_key" and
                           resolution else at, order.id) if scope else None
            for name, scope in listing_scopes(order).items()}
    return {"next_due_ts": due.timestamp() if due else None,
            "resolution_due_ts": resolution.timestamp() if resolution and order.state in ACTIVE
            else None, **keys}


ORDERS = "orders:"  # flat keys: an upsert's `$inc` of a dotted path stores the dots on nx-27017


def tally(order: WorkOrder | None) -> Counter[str]:
    """The order's share of its community's figures; a commit adds `after - before`."""
    if order is None:
        return Counter()
    return Counter({
        f"{ORDERS}{order.level.value}/{order.state.value}": 1,
        "overdue": int(timers.overdue(order)),
        "whistles": order.whistle_count,
        "escalations": order.escalation_count,
        "late_report_ins": sum(1 for r in order.report_ins if r.late),
        "missed_report_ins": order.missed_count,
    })


def tally_delta(before: WorkOrder | None, after: WorkOrder) -> dict[str, int]:
    """What a commit changes in the figures (zeros left out)."""
    delta = tally(after)
    delta.subtract(tally(before))
    return {k: v for k, v in delta.items() if v}
