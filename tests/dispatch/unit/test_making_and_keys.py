"""制单 as a rule; what a commit derives (page keys, figures); which listing a caller pages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderCreated,
    OrderFilter,
    OrderIn,
    OrderState,
    TimelineKind,
)
from services.common.contracts.workflow import Level, Route
from services.common.errors import InvalidInput
from services.common.paging import page_key
from services.dispatch.domain import deadlines, keys, listing, work
from services.dispatch.domain.make import Placement, make
from tests.dispatch.unit.orders import (
    ADMIN,
    GRID_WORKER,
    HOUR,
    NOW,
    POLICE,
    VOLUNTEER,
    held,
    order,
    who,
)

S = OrderState
WHERE = Placement(district_id="d", street_id="s", community_id="c", root_grid_id="root",
                  grid_id="g3", chain=("g3", "g2", "root"), department_id="police",
                  sla={"normal": [12.0, 48.0]})


def test_an_order_is_made_at_its_grid_with_the_communitys_deadlines_and_its_event():
    out = make(ADMIN, NOW, "o-1", OrderIn(category="road", summary="坑",
                                          cooperating=["housing"]), WHERE)
    made = out.order
    assert (made.level, made.state, made.grid_id, made.departments) == (
        Level.grid, S.open, "g3", ("police", "housing"))
    assert (made.response_due_at, made.resolution_due_at) == (NOW + 12 * HOUR, NOW + 48 * HOUR)
    assert [type(e) for e in out.events] == [OrderCreated]
    assert [h.kind for h in out.history] == [TimelineKind.created]
    # the responsible unit and the summary ride in the event: notify tells the unit
    assert (out.events[0].department_id, out.events[0].summary) == ("police", "坑")
    at_root = make(ADMIN, NOW, "o-2", OrderIn(category="road", summary="坑",
                                              route=Route.party_volunteer),
                   replace(WHERE, grid_id="root", chain=("root",)))
    assert at_root.order.level is Level.community and at_root.order.pool


def test_a_maker_naming_a_person_assigns_it_as_claimed_with_the_response_still_due():
    out = make(ADMIN, NOW, "o-1", OrderIn(category="road", summary="坑", person_id="u-p",
                                          response_hours=1), WHERE)
    assert (out.order.state, out.order.claimed_by) == (S.claimed, "u-p")
    assert [type(e) for e in out.events] == [OrderCreated, OrderClaimed]
    assert out.order.response_due_at == NOW + HOUR
    assert out.order.resolution_due_at == NOW + 48 * HOUR


def test_page_keys_put_an_order_in_its_listings_and_move_with_its_state():
    fresh = keys.derived(order())
    assert fresh["board_key"] == page_key("c:c", NOW.timestamp(), "o-1")
    assert fresh["state_key"].startswith("c:c:open|") and fresh["pool_key"] is None
    assert fresh["holder_key"] is None and fresh["street_reached_key"] is None
    assert fresh["next_due_ts"] == (NOW + 2 * HOUR).timestamp()
    taken = keys.derived(held())
    assert taken["holder_key"].startswith("m:u-gw|") and taken["state_key"].startswith(
        "c:c:claimed|")
    confirmed = keys.derived(held(state=S.confirmed))
    assert confirmed["holder_key"] is None and confirmed["next_due_ts"] is None
    up = keys.derived(order(level=Level.street, reached_levels=(Level.grid, Level.street)))
    assert up["street_reached_key"].startswith("s:s:street|")
    assert up["district_reached_key"] is None


def test_the_deadline_board_key_sorts_the_nearest_deadline_first_while_the_order_is_active():
    soon, later = (keys.derived(order(id=f"o-{h}", resolution_due_at=NOW + h * HOUR))["due_key"]
                   for h in (2, 30))
    overdue = keys.derived(order(id="o-late", resolution_due_at=NOW - HOUR))["due_key"]
    assert soon.startswith("c:c:due|") and later.startswith("c:c:due|")
    # pages are newest first (the greatest key first): the most overdue, then the nearest
    assert sorted([later, soon, overdue], reverse=True) == [overdue, soon, later]
    assert keys.derived(held(resolution_due_at=NOW + HOUR))["due_key"] is not None
    assert keys.derived(held(state=S.confirmed, resolution_due_at=NOW + HOUR))["due_key"] is None
    assert keys.derived(order(resolution_due_at=None))["due_key"] is None


def test_a_commit_moves_the_figures_by_the_difference_between_before_and_after():
    before = order()
    assert keys.tally_delta(None, before) == {"orders:grid/open": 1}
    after = deadlines.breach(held(state=S.in_progress), NOW + 25 * HOUR).order
    delta = keys.tally_delta(held(state=S.in_progress), after)
    assert delta == {"overdue": 1, "escalations": 1}  # level stays grid: g3 → g2
    assert keys.tally_delta(before, work.claim(before, GRID_WORKER, NOW).order) == {
        "orders:grid/open": -1, "orders:grid/claimed": 1}


def test_each_caller_pages_on_their_listings_key_and_other_filters_are_checked_per_item():
    def chosen(caller, **want):  # noqa: ANN001, ANN202
        field, scope, checks = listing.listing(caller, OrderFilter(**want))
        return field, scope, len(checks)

    assert chosen(ADMIN) == ("board_key", "c:c", 1)
    assert chosen(ADMIN, state=S.open) == ("state_key", "c:c:open", 1)
    assert chosen(ADMIN, by_deadline=True) == ("due_key", "c:c:due", 1)
    assert chosen(ADMIN, by_deadline=True, state=S.open) == ("due_key", "c:c:due", 2)
    assert chosen(ADMIN, by_deadline=True, state=S.confirmed) == ("state_key", "c:c:confirmed", 1)
    assert chosen(VOLUNTEER, pool=True, state=S.open) == ("pool_key", "c:c:pool", 2)
    assert chosen(GRID_WORKER, mine=True) == ("holder_key", "m:u-gw", 1)
    assert chosen(who("street_admin"), reached=Level.street) == (
        "street_reached_key", "s:s:street", 1)
    district = who("district_admin", community_id=None, street_id=None)
    assert chosen(district) == ("district_key", "d:d", 1)
    assert chosen(district, reached=Level.street) == ("district_key", "d:d", 2)
    _, _, checks = listing.listing(POLICE, OrderFilter())
    assert [c(order()) for c in checks] == [True]
    assert [c(order(departments=("housing",))) for c in checks] == [False]
    with pytest.raises(InvalidInput):
        listing.listing(who("system", community_id=None), OrderFilter())
