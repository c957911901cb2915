"""A points world: community A with two partner merchants and an offer, community B."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pymongo

from deploy.waits import wait_until
from services.gateway import tokens
from tests.platform import Platform


@dataclass
class World:
    platform: Platform
    admin: dict  # community A's admin
    merchant: dict  # merchant-A-1, the offer's
    other_merchant: dict  # merchant-A-2, also a partner of A
    admin_b: dict

    def db(self) -> pymongo.database.Database:
        linli = self.platform.config["LINLI"]
        return pymongo.MongoClient(linli["mongo_uri"])[f"{linli['db_prefix']}points"]


def signed(platform: Platform, role: str, where: str = "A", name: str = "1") -> dict:
    """A bearer token for a caller of `role` in community `where` (signed, no account: the
    services trust the verified context; identity's own sign-in is tested in its suite)."""
    tenancy = platform.tenancy()
    community = tenancy.communities[where]
    who = {"id": f"u-{role}-{where}-{name}", "role": role,
           "district_id": tenancy.district["id"]}
    if role != "ops":
        who |= {"street_id": community["street_id"], "community_id": community["id"]}
    if role == "merchant":
        who["merchant_id"] = f"merchant-{where}-{name}"
    return {"Authorization": "Bearer " + tokens.issue(who, platform.settings.jwt_secret, 3600)}


def build(platform: Platform) -> World:
    client = platform.client
    assert client is not None
    world = World(platform, signed(platform, "community_admin", "A"),
                  signed(platform, "merchant", "A", "1"), signed(platform, "merchant", "A", "2"),
                  signed(platform, "community_admin", "B"))
    for n in ("1", "2"):
        r = client.post("/points/merchants", headers=world.admin, json={
            "merchant_id": f"merchant-A-{n}", "name": f"小店 {n}",
            "modes": ["points_exchange", "trial"]})
        assert r.status_code == 201, r.text
    return world


def offer(world: World, price: int = 10, stock: int = 1000, limit: int = 1000) -> dict:
    now = datetime.now(UTC)
    r = world.platform.client.post("/points/offers", headers=world.merchant, json={
        "title": f"理发 {uuid.uuid4().hex[:4]}", "price": price, "stock": stock,
        "valid_from": (now - timedelta(hours=1)).isoformat(),
        "valid_until": (now + timedelta(days=1)).isoformat(), "per_resident_limit": limit})
    assert r.status_code == 201, r.text
    return r.json()


def resident(world: World, points: int) -> tuple[dict, dict]:
    """A new resident of A holding `points` (awarded by A's admin, under the threshold)."""
    name = uuid.uuid4().hex[:6]
    headers = signed(world.platform, "resident", "A", name)
    user = {"id": f"u-resident-A-{name}", "community_id": world.platform.community_id("A")}
    left = points
    while left:
        step = min(left, 100)
        r = world.platform.client.post("/points/awards", headers=world.admin, json={
            "user_id": user["id"], "points": step, "reason": "志愿服务"})
        assert r.status_code == 201 and r.json()["state"] == "posted", r.text
        left -= step
    return user, headers


def issued(world: World, price: int) -> tuple[dict, dict, dict]:
    """(an offer at `price`, a resident holding just that, their issued redemption of it)."""
    made_offer = offer(world, price=price)
    _, headers = resident(world, price)
    made = world.platform.client.post("/points/redemptions", headers=headers,
                                      json={"offer_id": made_offer["id"]})
    assert made.status_code == 201, made.text
    return made_offer, headers, made.json()


def balance(world: World, headers: dict) -> dict:
    r = world.platform.client.get("/points/balance", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def verify(world: World, community_id: str) -> dict:
    r = world.platform.client.get(f"/points/verify?community_id={community_id}",
                                  headers=signed(world.platform, "ops"))
    assert r.status_code == 200, r.text
    return r.json()


def settled(world: World, redemption_id: str, timeout: float = 20) -> dict:
    doc: dict = {}

    def done() -> bool:
        nonlocal doc
        doc = world.db()["redemptions"].find_one({"_id": redemption_id}) or {}
        return bool(doc.get("settled"))

    assert wait_until(done, timeout, every=0.1), doc
    return doc


def now() -> float:
    return time.time()
