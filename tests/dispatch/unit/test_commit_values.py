"""The document and the value the rules see carry the same order (no store involved)."""

from __future__ import annotations

from services.common.contracts.dispatch import WhistleIn
from services.dispatch import commit
from services.dispatch.domain import keys, whistle, work
from services.dispatch.models import Order
from tests.dispatch.unit.orders import ADMIN, GRID_WORKER, NOW, order


def test_an_order_goes_to_the_document_and_comes_back_the_same_value():
    value = whistle.whistle(order(), ADMIN, NOW, WhistleIn(departments=["urban"]), 30,
                            "w1").order
    doc = Order(**commit.stored(value), **keys.derived(value))
    assert commit.facts(doc) == value


def test_a_commit_writes_only_what_the_rule_changed_and_the_derived_fields():
    before = order()
    after = work.claim(before, GRID_WORKER, NOW).order
    written = commit.changes(before, after)
    assert set(written) - set(keys.derived(after)) == {"state", "claimed_by", "claimed_at"}
    assert written["state"] == "claimed" and written["holder_key"].startswith("m:u-gw|")
