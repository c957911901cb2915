"""The demo seed's points step: rules, partner merchants with offers, some balances."""

from __future__ import annotations

from deploy import seed
from services.points.service import PointsService


def test_the_seed_gives_rules_offers_and_balances_to_try_right_away(platform):
    client = platform.start(PointsService)
    demo = seed.Demo()
    with platform.rpc() as rpc:
        seed.seed_identity(rpc, demo)
        seed.seed_points(rpc, demo)
        seed.seed_points(rpc, demo)  # idempotent: no second offer, no second award
    login = client.post("/auth/login", json={"username": "resident",
                                             "password": seed.DEMO_PASSWORD})
    resident = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert client.get("/points/balance", headers=resident).json()["active"] == 100
    rules = client.get("/points/rules", headers=resident).json()
    assert {r["kind"] for r in rules} >= {"issue_verified", "volunteer_hour", "vote_cast"}
    offers = client.get("/points/offers", headers=resident).json()["items"]
    assert len(offers) == 4  # merchant1's and merchant2's: it serves two of its street's
    made = client.post("/points/redemptions", headers=resident,
                       json={"offer_id": min(offers, key=lambda o: o["price"])["id"]})
    assert made.status_code == 201 and len(made.json()["code"]) == 8
