"""Folding a merged issue's order, pure: closed as `merged`, deadlines off, the claim freed,
once; a confirmed order is left as it is."""

from __future__ import annotations

import pytest

from services.common.caller import Caller
from services.common.contracts.dispatch import OrderMerged, OrderState, TimelineKind
from services.dispatch.domain import keys, results
from tests.dispatch.unit.orders import HOUR, NOW, held, order

S = OrderState
SYSTEM = Caller.system("d1")


@pytest.mark.parametrize("state", [S.claimed, S.in_progress, S.resolved])
def test_a_held_order_folds_and_frees_its_holder(state):
    out = results.fold(held(state=state), SYSTEM, NOW + HOUR, "i-original")
    assert out is not None and out.order.state is S.merged and out.released == "u-gw"
    assert [type(e) for e in out.events] == [OrderMerged]
    assert out.events[0].original_issue_id == "i-original"
    assert out.history[0].kind is TimelineKind.merged
    assert keys.derived(out.order)["resolution_due_ts"] is None
    assert keys.derived(out.order)["next_due_ts"] is None
    assert keys.listing_scopes(out.order)["holder_key"] is None


def test_an_open_order_folds_with_no_claim_to_free():
    out = results.fold(order(), SYSTEM, NOW, "i-original")
    assert out is not None and out.order.state is S.merged and out.released is None


@pytest.mark.parametrize("state", [S.merged, S.confirmed])
def test_a_merged_or_confirmed_order_is_left_as_it_is(state):
    assert results.fold(held(state=state), SYSTEM, NOW, "i-original") is None
