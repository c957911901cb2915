"""The demo seed's dispatch step builds each community's grid tree, workers and units."""

from __future__ import annotations

from deploy import seed
from services.dispatch.service import DispatchService


def test_the_seed_gives_every_demo_community_grids_workers_and_units(platform):
    client = platform.start(DispatchService)
    demo = seed.Demo()
    with platform.rpc() as rpc:
        seed.seed_identity(rpc, demo)
        seed.seed_dispatch(rpc, demo)
        first = demo.communities[0]["id"]
        grids = rpc.dispatch.list_grids(seed.SYSTEM, first)
        units = rpc.dispatch.list_responders(seed.SYSTEM, first)
    assert [g["level"] for g in grids].count("3") == 4 and len(grids) == 11
    assert {u["department_id"] for u in units} == set(seed.UNITS)
    worker = demo.users["gridworker"]
    assert worker["grid_id"] in {g["id"] for g in grids if g["level"] == "3"}
    login = client.post("/auth/login", json={"username": "gridworker",
                                             "password": seed.DEMO_PASSWORD})
    assert login.status_code == 200
