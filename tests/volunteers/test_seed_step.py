"""The demo seed's volunteers step: 20 volunteers with skills and windows, a few wishes on
the first community's board, one workshop. The step reads only `Demo`, so the accounts are
made here (identity's argon2 sign-ups are identity's test); without dispatch's step the
volunteers have no home grid (tests/volunteers/test_matching.py covers grids)."""

from __future__ import annotations

import uuid

from deploy import seed


def _demo() -> seed.Demo:
    tag = uuid.uuid4().hex[:6]
    demo = seed.Demo(district={"id": f"d-{tag}"}, steps=["identity"])
    demo.communities = [{"id": f"c{n}-{tag}", "street_id": f"s{n // 2}-{tag}"}
                        for n in range(4)]

    def user(name: str, role: str, n: int) -> None:
        community = demo.communities[n]
        demo.users[name] = {"id": f"u-{name}-{tag}", "role": role, "display_name": name,
                            "district_id": demo.district["id"], "community_id": community["id"],
                            "street_id": community["street_id"]}

    for name, role in (("community_admin", "community_admin"), ("resident", "resident"),
                       ("operator", "operator")):
        user(name, role, 0)
    for i in range(1, seed.VOLUNTEERS + 1):
        user(f"volunteer{i:02d}", "volunteer", (i - 1) % 4)
    return demo


def test_the_seed_gives_the_demo_volunteers_skills_windows_and_a_board(vplatform):
    demo = _demo()
    with vplatform.rpc() as rpc:
        seed.seed_volunteers(rpc, demo)
        first = demo.communities[0]
        admin = seed._caller(demo.users["community_admin"])
        profiles = rpc.volunteers.list_profiles(admin, first["id"], 100, None)["items"]
        board = rpc.volunteers.wish_board(seed._caller(demo.users["resident"]), None, 20, None)
        activities = rpc.volunteers.list_activities(seed._caller(demo.users["operator"]),
                                                    None, 20, None)["items"]
        ranked = rpc.volunteers.rank_candidates(admin, {"skill": "repair", "k": 5})
    assert len(profiles) == 5  # volunteers 01, 05, 09, 13, 17 live in the first community
    assert all(p["skills"] and p["windows"] and p["consent"] for p in profiles)
    assert {w["title"] for w in board["items"]} == {t for t, _, _ in seed.DEMO_WISHES}
    assert [a["workshop"] for a in activities] == ["义修小屋"]
    assert ranked[0]["account_id"] == demo.users["volunteer01"]["id"]  # the plumber
    assert ranked[0]["parts"]["skill"] == 0.35
