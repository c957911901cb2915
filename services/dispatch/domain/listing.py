"""Which listing a caller pages through: the key field, its scope, and the per-item checks.

Each listing is one indexed page key on the order (`keys.listing_scopes`). A filter
the chosen key does not serve is checked on each item read, as is the caller's
right to see it (`scope.can_see`: the key narrows, the rule decides).
"""

from __future__ import annotations

from collections.abc import Callable

from services.common.caller import Caller, Role
from services.common.contracts.dispatch import OrderFilter
from services.common.contracts.workflow import Level
from services.common.errors import InvalidInput
from services.dispatch.domain import keys
from services.dispatch.domain.order import WorkOrder, scope_of
from services.dispatch.domain.scope import can_see
from services.dispatch.domain.states import ACTIVE

Keep = Callable[[WorkOrder], bool]


def listing(who: Caller, want: OrderFilter) -> tuple[str, str, list[Keep]]:
    """The key field and scope a listing pages on, and what is checked per item beside it."""
    checks: list[Keep] = [lambda o: can_see(who, scope_of(o))]
    if want.mine:
        return _narrowed("holder_key", f"m:{who.user_id}", want, checks, "mine")
    community = want.community_id or (who.community_id if who.role not in
                                      (Role.street_admin, Role.district_admin) else None)
    if community:
        # a finished state has no deadline running: its own listing, newest first
        if want.by_deadline and (want.state is None or want.state in ACTIVE):
            return _narrowed("due_key", keys.community_scope(community, "due"), want, checks)
        if want.pool:
            return _narrowed("pool_key", keys.community_scope(community, "pool"), want,
                             checks, "pool")
        if want.state:
            return _narrowed("state_key", keys.community_scope(community, want.state.value),
                             want, checks, "state")
        return _narrowed("board_key", keys.community_scope(community), want, checks)
    if who.role is Role.street_admin:
        if want.reached is Level.street:
            return _narrowed("street_reached_key", f"s:{who.street_id}:street", want, checks,
                             "reached")
        return _narrowed("street_key", f"s:{who.street_id}", want, checks)
    if who.role is Role.district_admin:
        if want.reached is Level.district:
            return _narrowed("district_reached_key", f"d:{who.district_id}:district", want,
                             checks, "reached")
        return _narrowed("district_key", f"d:{who.district_id}", want, checks)
    raise InvalidInput("which community?", {"community_id": "required"})


def _narrowed(field: str, scope: str, want: OrderFilter, checks: list[Keep],
              *served: str) -> tuple[str, str, list[Keep]]:
    """The filters the key does not serve become checks on each item read."""
    if want.state and "state" not in served:
        checks.append(lambda o: o.state is want.state)
    if want.pool is not None and "pool" not in served:
        checks.append(lambda o: o.pool is bool(want.pool))
    if want.reached and "reached" not in served:
        checks.append(lambda o: want.reached in o.reached_levels)
    return field, scope, checks
