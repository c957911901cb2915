"""The demo seed's points step: rules, partner merchants with offers, some balances."""

from __future__ import annotations

from deploy import seed
from services.points.service import PointsService
from tests.points import helpers


def _demo(platform) -> seed.Demo:  # noqa: ANN001
    """What identity's step hands on, for the platform's two communities (no accounts made:
    the points step only reads ids)."""
    tenancy = platform.tenancy()
    first, second = tenancy.communities["A"], tenancy.communities["B"]
    users = {"resident": {"id": "u-resident-A-seed", "community_id": first["id"]}}
    users |= {f"volunteer{i:02d}": {"id": f"u-volunteer-{i}", "community_id": (
        first, second)[i % 2]["id"]} for i in range(1, seed.VOLUNTEERS + 1)}
    return seed.Demo(district=tenancy.district, streets=list(tenancy.streets.values()),
                     communities=[first, second], users=users)


def test_the_seed_gives_rules_offers_and_balances_to_try_right_away(platform):
    client = platform.start(PointsService)
    demo = _demo(platform)
    with platform.rpc() as rpc:
        seed.seed_points(rpc, demo)
        seed.seed_points(rpc, demo)  # idempotent: no second offer, no second award
    resident = helpers.signed(platform, "resident", "A", "seed")
    assert client.get("/points/balance", headers=resident).json()["active"] == 100
    rules = client.get("/points/rules", headers=resident).json()
    assert {r["kind"] for r in rules} >= {"issue_verified", "volunteer_hour", "vote_cast"}
    offers = client.get("/points/offers", headers=resident).json()["items"]
    assert {o["merchant_id"] for o in offers} == {"merchant-1", "merchant-3"}
    assert len(offers) == 4  # merchant-2 lives in B, another street: it serves only B
    made = client.post("/points/redemptions", headers=resident,
                       json={"offer_id": min(offers, key=lambda o: o["price"])["id"]})
    assert made.status_code == 201 and len(made.json()["code"]) == 8
