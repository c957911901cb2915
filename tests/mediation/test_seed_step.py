"""The demo seed's mediation step: the 调解工作室 and a walk-in neighbour dispute. The step
reads only `Demo`, so the accounts are made up here."""

from __future__ import annotations

from deploy import seed
from tests.mediation.helpers import tag


def test_the_seed_opens_the_workshop_and_a_walk_in_case(mplatform):
    tenancy, t = mplatform.tenancy(), tag()
    demo = seed.Demo(district=tenancy.district, steps=["identity", "deliberation"],
                     communities=[tenancy.communities["B"]])
    for name, role in (("community_admin", "community_admin"), ("resident", "resident")):
        demo.users[name] = mplatform.user(role, "B", f"seed-{t}") | {"role": role}
    admin = {k: demo.users["community_admin"][k] for k in ("district_id", "community_id")} | {
        "user_id": demo.users["community_admin"]["id"], "role": "community_admin",
        "street_id": tenancy.communities["B"]["street_id"]}
    with mplatform.rpc() as rpc:
        seed.seed_mediation(rpc, demo)
        halls = rpc.deliberation.list_halls(admin)["items"]
        cases = rpc.mediation.list_cases(admin)["items"]
    assert "workshop" in {h["kind"] for h in halls if h["name"] == "调解工作室"}
    seeded = [c for c in cases if c["parties"][0]["account_id"] == demo.users["resident"]["id"]]
    assert len(seeded) == 1 and seeded[0]["mediator_search"] in ("requested", "offered",
                                                                 "exhausted", "accepted")
