"""The demo seed's deliberation step: halls, a proposal with supporters, a scheduled meeting.
The step reads only `Demo`, so the accounts are made up here (identity is not asked)."""

from __future__ import annotations

from deploy import seed
from tests.deliberation.helpers import caller


def test_the_seed_publishes_halls_a_proposal_and_a_scheduled_meeting(dplatform):
    admin = caller(dplatform, "community_admin", "A", "seed")
    tenancy = dplatform.tenancy()
    demo = seed.Demo(district=tenancy.district, steps=["identity"],
                     communities=[tenancy.communities["A"]])
    for name, role in (("community_admin", "community_admin"), ("resident", "resident"),
                       ("operator", "operator"), ("department", "department")):
        demo.users[name] = dplatform.user(role, "A", f"seed-{name[:4]}") | {"role": role}
    for i in range(1, 6):
        demo.users[f"volunteer{i:02d}"] = dplatform.user("volunteer", "A", f"seed-v{i}") | {
            "role": "volunteer"}
    with dplatform.rpc() as rpc:
        seed.seed_deliberation(rpc, demo)
        halls = rpc.deliberation.list_halls(admin)["items"]
        proposals = rpc.deliberation.topic_list(admin, None, True, 100)["items"]
        meetings = rpc.deliberation.list_meetings(admin, None, 100)["items"]
        hall_id = next(h["id"] for h in halls if h["name"] == "东湖一社区议事厅")
        roster = rpc.deliberation.list_representatives(admin, None, hall_id)["items"]
    assert {r["kind"] for r in roster} == {"residents_representative", "mediator", "police",
                                           "party_representative"}
    assert {"东湖一社区议事厅", "网上议事厅"} <= {h["name"] for h in halls}
    elevator = next(t for t in proposals if t["title"] == "3 号楼加装电梯")
    assert (elevator["state"], elevator["supporters"]) == ("proposed", 3)
    seeded = [m for m in meetings if len(m["participants"]) == 6
              and m["participants"][0]["account_id"] == demo.users["community_admin"]["id"]]
    assert seeded and seeded[0]["state"] == "scheduled"
