"""A community's deliberation set up by RPC for the console's tests: the fixed "4" on its
roster (accounts made in identity), a listed topic and an always-open hall."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from tests.platform import PASSWORD, SYSTEM

PARTIES = {"community_committee": "party_representative", "mediation_committee": "mediator",
           "police": "police", "residents_representative": "residents_representative"}


def admin_of(tenancy: Any) -> dict:
    """The community admin as a caller (the services trust the verified context)."""
    place = {k: tenancy.community[k] for k in ("district_id", "street_id")} | {
        "community_id": tenancy.community["id"]}
    return {"user_id": tenancy.users["community_admin"]["id"], "role": "community_admin",
            **place}


def roster_topic_hall(rpc: Any, tenancy: Any, title: str, detail: str) -> SimpleNamespace:
    """`people`: the "4" as meeting participants ({account_id, party}); the topic; the hall."""
    admin, tag = admin_of(tenancy), uuid.uuid4().hex[:6]
    place = {k: admin[k] for k in ("district_id", "street_id", "community_id")}
    people = []
    for i, party in enumerate(PARTIES):
        account = rpc.identity.create_user(SYSTEM, {
            "username": f"rep{i}_{tag}", "password": PASSWORD, "role": "resident",
            "display_name": f"代表{i}", **place})
        rpc.deliberation.add_representative(admin, {
            "account_id": account["id"], "display_name": f"代表{i}", "kind": PARTIES[party]})
        people.append({"account_id": account["id"], "party": party})
    topic = rpc.deliberation.propose_topic(admin, {
        "title": f"{title} {tag}", "detail": detail, "category": "blue"})
    hall = rpc.deliberation.create_hall(admin, {
        "kind": "community", "name": f"议事厅 {tag}", "address": "社区一楼",
        "opening_hours": "0:00-24:00", "capacity": 40, "contact": "居委会"})
    return SimpleNamespace(admin=admin, people=people, topic=topic, hall=hall)
