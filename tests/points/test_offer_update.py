"""A merchant changes its offer (#10): text, price, end and per-resident limit in one
version-conditioned write; the stock only from what it saw, so a reservation in between is
a 409 and never a unit lost; anyone else's change is refused, at the gateway and the RPC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.errors import DomainError
from services.points.service import PointsService
from tests.platform import error_of
from tests.points import helpers
from tests.points.helpers import World


@pytest.fixture(scope="module")
def world(module_platform) -> World:
    module_platform.start(PointsService)
    return helpers.build(module_platform)


def _patch(world: World, offer_id: str, headers: dict, body: dict):  # noqa: ANN202
    return world.platform.client.patch(f"/points/offers/{offer_id}", headers=headers, json=body)


def _offer(world: World, offer_id: str) -> dict:
    got = world.platform.client.get(f"/points/offers/{offer_id}", headers=world.merchant)
    assert got.status_code == 200, got.text
    return got.json()


def test_the_merchant_changes_its_offer_and_a_redemption_keeps_the_price_it_locked(world):
    made = helpers.offer(world, price=10, stock=5)
    _, headers = helpers.resident(world, 30)
    held = world.platform.client.post("/points/redemptions", headers=headers,
                                      json={"offer_id": made["id"]})
    assert held.status_code == 201, held.text
    until = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    changed = _patch(world, made["id"], world.merchant, {
        "title": "理发 (含洗)", "price": 15, "per_resident_limit": 2,
        "valid_until": until.isoformat()})
    assert changed.status_code == 200, changed.text
    got = _offer(world, made["id"])
    assert (got["title"], got["price"], got["per_resident_limit"]) == ("理发 (含洗)", 15, 2)
    assert datetime.fromisoformat(got["valid_until"]) == until
    assert (got["stock"], got["description"]) == (4, made["description"])  # untouched
    redemption = world.platform.client.get(f"/points/redemptions/{held.json()['id']}",
                                           headers=headers).json()
    assert redemption["price"] == 10
    assert helpers.balance(world, headers)["locked"] == 10


def test_the_stock_moves_only_from_what_the_merchant_saw(world):
    made = helpers.offer(world, price=5, stock=3)
    restock = {"stock": 20, "stock_was": 3}
    _, headers = helpers.resident(world, 5)
    # a resident reserves a unit after the merchant read 3: the merchant's 3 → 20 is stale
    assert world.platform.client.post("/points/redemptions", headers=headers, json={
        "offer_id": made["id"]}).status_code == 201
    stale = _patch(world, made["id"], world.merchant, restock)
    assert stale.status_code == 409, stale.text
    assert error_of(stale)["fields"] == {"stock_was": "the stock is 2 now"}
    assert _offer(world, made["id"])["stock"] == 2
    fresh = {"stock": 20, "stock_was": 2}
    assert _patch(world, made["id"], world.merchant, fresh).json()["stock"] == 20
    again = _patch(world, made["id"], world.merchant, fresh)  # a resend: nothing twice
    assert again.status_code == 409
    assert error_of(again)["fields"] == {"stock_was": "the stock is 20 now"}
    assert _offer(world, made["id"])["stock"] == 20


def test_a_reservation_between_the_read_and_the_write_fails_the_write(world, monkeypatch):
    """The stock's own condition in the commit (not only the check before it): a unit
    reserved after the offer was read makes the write stale; re-read, it is a 409."""
    from services.points import merchants
    from services.points.models import Offer

    made = helpers.offer(world, price=5, stock=3)
    read = merchants._editable

    def read_then_reserved(caller, offer_id):  # noqa: ANN001, ANN202
        doc = read(caller, offer_id)
        if doc.stock == 3:  # a resident's reservation lands after this read, once
            Offer._get_collection().update_one({"_id": offer_id}, {"$inc": {"stock": -1}})
        return doc

    monkeypatch.setattr(merchants, "_editable", read_then_reserved)
    raced = _patch(world, made["id"], world.merchant, {"stock": 10, "stock_was": 3,
                                                       "title": "修鞋 (新)"})
    assert raced.status_code == 409, raced.text
    assert error_of(raced)["fields"] == {"stock_was": "the stock is 2 now"}
    got = _offer(world, made["id"])
    assert (got["stock"], got["title"]) == (2, made["title"])


@pytest.mark.parametrize(("body", "field"), [
    ({}, "body"),
    ({"stock": 5}, "stock_was"),
    ({"price": 0}, "price"),
    ({"stock": -1, "stock_was": 3}, "stock"),
    ({"valid_until": "2020-01-01T00:00:00Z"}, "valid_until"),
    ({"merchant_id": "merchant-A-2"}, "merchant_id"),
])
def test_a_bad_change_is_a_422_naming_the_field_and_changes_nothing(world, body, field):
    made = helpers.offer(world, price=7, stock=3)
    refused = _patch(world, made["id"], world.merchant, body)
    assert refused.status_code == 422, refused.text
    assert field in error_of(refused)["fields"], error_of(refused)
    got = _offer(world, made["id"])
    assert (got["price"], got["stock"], got["valid_until"]) == (
        7, 3, made["valid_until"])


def test_only_its_merchant_and_its_communitys_admin_change_an_offer(world):
    made = helpers.offer(world, price=9, stock=3)
    refusals = [(world.other_merchant, 404), (world.admin_b, 404),
                (helpers.signed(world.platform, "resident"), 403),
                (helpers.signed(world.platform, "street_admin"), 403)]
    for headers, status in refusals:
        refused = _patch(world, made["id"], headers, {"price": 1})
        assert refused.status_code == status, refused.text
    assert _patch(world, made["id"], world.admin, {"description": "周一休息"}).status_code == 200
    tenancy = world.platform.tenancy()
    base = {"district_id": tenancy.district["id"]}
    a, b = tenancy.communities["A"], tenancy.communities["B"]
    with world.platform.rpc() as rpc:  # the service refuses them itself
        for who, status in (
                ({"user_id": "u-m2", "role": "merchant", "merchant_id": "merchant-A-2",
                  "community_id": a["id"], "street_id": a["street_id"]}, 404),
                ({"user_id": "u-ab", "role": "community_admin", "community_id": b["id"],
                  "street_id": b["street_id"]}, 404),
                ({"user_id": "u-r", "role": "resident", "community_id": a["id"],
                  "street_id": a["street_id"]}, 403)):
            with pytest.raises(DomainError) as refused:
                rpc.points.update_offer(base | who, made["id"], {"price": 1})
            assert refused.value.status == status, (who["role"], refused.value)
    got = _offer(world, made["id"])
    assert (got["price"], got["description"]) == (9, "周一休息")
