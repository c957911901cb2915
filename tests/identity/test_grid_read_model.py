"""An account's grid is a grid of its community: identity checks it on its own copy of
dispatch's grids (fed by grid events, seeded once by a page walk), never by asking dispatch
while the account is created; before that copy is primed, the grid is taken as given."""

from __future__ import annotations

import uuid

from deploy.waits import wait_until
from services.dispatch.service import DispatchService
from services.identity.grids import GRIDS
from tests.platform import PASSWORD, error_of

ROWS = [{"code": "L1", "name": "一级网格", "level": "1"},
        {"code": "G7", "name": "七网格", "level": "2", "parent_code": "L1"}]


def _worker(platform, grid_id: str, where: str = "A") -> dict:
    return {"username": f"gw_{uuid.uuid4().hex[:8]}", "password": PASSWORD,
            "role": "grid_worker", "display_name": "网格员", "grid_id": grid_id,
            "community_id": platform.community_id(where)}


def test_an_account_with_a_grid_not_of_its_community_is_refused_naming_grid_id(platform):
    client = platform.start(DispatchService)
    cid, other = platform.community_id("A"), platform.community_id("B")
    admin = platform.headers("district_admin")
    assert wait_until(lambda: GRIDS.primed(cid) and GRIDS.primed(other), timeout=20, every=0.2)
    for grid_id in ("g-made-up", f"g-root-{other}"):  # unknown; another community's
        refused = client.post("/users", headers=admin, json=_worker(platform, grid_id))
        assert refused.status_code == 422, refused.text
        assert error_of(refused)["fields"] == {"grid_id": "not a grid of this community"}
    lost = client.get("/users", headers=admin, params={"community_id": cid}).json()
    assert not [u for u in lost if u["role"] == "grid_worker"]  # nothing stored
    made = client.post("/users", headers=admin, json=_worker(platform, f"g-root-{cid}"))
    assert made.status_code == 201, made.text
    # a grid imported in dispatch: an account may be placed in it once its event arrived
    with platform.rpc() as rpc:
        rpc.dispatch.import_grids({"user_id": "system", "role": "system", "district_id": "*"},
                                  cid, ROWS, False)
        g7 = next(g["id"] for g in rpc.dispatch.list_grids(
            {"user_id": "system", "role": "system", "district_id": "*"}, cid)
            if g["code"] == "G7")
    assert wait_until(lambda: GRIDS.check(cid, g7), timeout=10, every=0.1)
    assert client.post("/users", headers=admin, json=_worker(platform, g7)).status_code == 201
    # a grid only makes sense for an account of a community
    street = _worker(platform, g7) | {"role": "street_admin",
                                      "street_id": platform.tenancy().streets["A"]["id"]}
    del street["community_id"]
    refused = client.post("/users", headers=admin, json=street)
    assert error_of(refused)["fields"] == {"grid_id": "only for an account of a community"}


def test_before_the_copy_is_primed_an_account_takes_its_grid_as_given(platform):
    """Dispatch down at identity's first start: refusing would make accounts wait on it."""
    client = platform.start()
    cid = platform.community_id()
    assert GRIDS.check(cid, "g-made-up") is None
    made = client.post("/users", headers=platform.headers("district_admin"),
                       json=_worker(platform, "g-made-up"))
    assert made.status_code == 201, made.text
