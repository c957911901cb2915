"""The demo seed's incubation step: a mutual-aid team in 培育 lacking activities held, and an
interest club in 萌芽 lacking members. The step reads only `Demo`, so the accounts are made
up here."""

from __future__ import annotations

from deploy import seed
from tests.incubation.helpers import tag


def test_the_seed_adds_two_organisations_at_different_stages(iplatform):
    tenancy, t = iplatform.tenancy(), tag()
    community = tenancy.communities["B"]
    demo = seed.Demo(district=tenancy.district, steps=["identity", "dispatch"],
                     communities=[community])
    for name, role in (("community_admin", "community_admin"), ("resident", "resident"),
                       ("operator", "operator"), ("volunteer01", "volunteer")):
        demo.users[name] = {"id": f"u-seed-{name}-{t}", "role": role,  # incubation trusts callers
                            "display_name": name, "district_id": tenancy.district["id"],
                            "street_id": community["street_id"], "community_id": community["id"]}
    admin = {"user_id": demo.users["community_admin"]["id"], "role": "community_admin",
             "district_id": tenancy.district["id"], "community_id": community["id"],
             "street_id": community["street_id"]}
    with iplatform.rpc() as rpc:
        seed.seed_incubation(rpc, demo)
        listed = rpc.incubation.list_organisations(admin, None, 100)["items"]
        figures = rpc.incubation.incubation_figures(admin)
    stands = {o["name"]: (o["stage"], o["step"], o["lacks"]) for o in listed}
    assert stands["邻里互助队"] == ("nurture", "trial", ["activities: 0 of 2"])
    assert stands["夕阳红合唱团"] == ("sprout", "recruit", ["members: 1 of 3"])
    assert figures["by_stage"]["nurture"] >= 1 and figures["by_stage"]["sprout"] >= 1
