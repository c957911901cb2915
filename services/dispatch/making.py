"""制单: where a new order goes (the grid tree, the responsible unit), then the rule makes it."""

from __future__ import annotations

from datetime import datetime

from services.common.caller import Caller
from services.common.contracts.dispatch import OrderIn
from services.common.errors import InvalidInput
from services.dispatch import commit, grids
from services.dispatch.domain.make import Placement, make
from services.dispatch.domain.order import Outcome
from services.dispatch.models import CommunityPolicy, Order, Responder, duty_key, new_id

ASSIGNED_CAP = 10**6  # a maker's assignment is not a claim race: no cap


def placement(policy: CommunityPolicy, spec: OrderIn, grid_id: str | None = None,
              strict: bool = True) -> Placement:
    """The order's grid (given, from its location, or the root), its chain and its unit.

    A grid that is not the community's is refused (`strict`) or placed at the root (an
    event's grid, which a made order must not fail on)."""
    grid_id = grid_id or spec.grid_id
    if not grid_id and spec.location is not None:
        grid_id = grids.resolve(policy, spec.location.model_dump())["grid_id"]
    # One read per grid of the lineage: it checks the community, finds the owning grid
    # (a compound or building hands its grid up) and is the chain.
    docs = grids.owning(grids.lineage(grid_id or policy.root_grid_id))
    if grid_id and (not docs or docs[0].community_id != policy.id):
        if strict:
            raise InvalidInput("unknown grid", {"grid_id": "not a grid of this community"})
        docs = grids.owning(grids.lineage(policy.root_grid_id))
    grid_id = docs[0].id if docs else policy.root_grid_id
    chain = tuple(d.id for d in docs)
    return Placement(district_id=policy.district_id, street_id=policy.street_id,
                     community_id=policy.id, root_grid_id=policy.root_grid_id, grid_id=grid_id,
                     chain=chain, sla=dict(policy.sla or {}),
                     department_id=None if spec.department_id
                     else responsible_department(policy.id, spec.category, chain))


def decide(caller: Caller, policy: CommunityPolicy, spec: OrderIn, at: datetime,
           issue_id: str | None = None, grid_id: str | None = None,
           strict: bool = True, order_id: str | None = None) -> Outcome:
    """The new order as a rule's outcome (nothing written yet). `order_id` fixed by an
    event (a deliberation decision's task) makes a redelivery lose the insert."""
    where = placement(policy, spec, grid_id, strict)
    try:
        return make(caller, at, order_id or (f"o-{issue_id}" if issue_id else new_id("o")),
                    spec, where, issue_id=issue_id)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"response_hours": "must be positive"}) from exc


def commit_new(caller: Caller, outcome: Outcome) -> Order:
    """Insert it; an assignee's claim slot is taken first and given back if the insert fails."""
    person = outcome.order.claimed_by
    if person:
        commit.take_claim_slot(person, ASSIGNED_CAP)
    try:
        return commit.create(caller, outcome)
    except Exception:
        commit.release_claim_slot(person)
        raise


def responsible_department(community_id: str, category: str, chain: tuple[str, ...]) -> str | None:
    """The on-duty unit responsible for the category whose jurisdiction covers the grid.

    One equality on the indexed `duty_key` (the community's units, a handful), filtered
    here (a projection is slower on nx-27017): the store answers a query on community, kind
    and the categories list by a scan of every community's responders."""
    for unit in Responder.objects(duty_key=duty_key(community_id, "department")):
        if not unit.on_duty or category not in (unit.categories or ()):
            continue
        if not unit.jurisdiction or set(unit.jurisdiction) & set(chain):
            return unit.department_id
    return None
