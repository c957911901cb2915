"""An order by hand names a category of its community's catalogue: dispatch checks it on its
own copy of intake's catalogue (fed by category events, seeded once by a page walk), never by
asking intake on the write path; before that copy is primed, the category is taken as given."""

from __future__ import annotations

from deploy.waits import wait_until
from services.dispatch.catalogue import CATEGORIES
from services.dispatch.service import DispatchService
from services.intake.service import IntakeService
from tests.platform import error_of

PIGEONS = {"code": "pigeons", "name": "鸽子扰民", "name_en": "Pigeons", "group": "环境",
           "triage": {"route": "community", "issue_class": "public"}}


def _order(client, admin, category: str):
    return client.post("/orders", headers=admin, json={"category": category, "summary": "坑"})


def test_an_order_naming_a_category_not_in_the_catalogue_is_refused_naming_it(platform):
    client = platform.start(IntakeService, DispatchService)
    cid, admin = platform.community_id(), platform.headers("community_admin")
    # the seeded catalogue's events and the backfill's page walk prime dispatch's copy
    assert wait_until(lambda: CATEGORIES.primed(cid), timeout=20, every=0.2)
    refused = _order(client, admin, "road")
    assert refused.status_code == 422, refused.text
    assert error_of(refused)["fields"] == {"category": "not in this community's catalogue"}
    assert client.get("/orders", headers=admin).json()["items"] == []  # nothing stored
    assert _order(client, admin, "road_damage").status_code == 201
    # a category added by the community admin: an order may name it once its event arrived
    put = client.put(f"/communities/{cid}/categories/pigeons", headers=admin, json=PIGEONS)
    assert put.status_code == 200, put.text
    assert wait_until(lambda: CATEGORIES.check(cid, "pigeons"), timeout=10, every=0.1)
    assert _order(client, admin, "pigeons").status_code == 201
    # removed: new orders may not name it
    assert client.delete(f"/communities/{cid}/categories/pigeons",
                         headers=admin).status_code == 200
    assert wait_until(lambda: CATEGORIES.check(cid, "pigeons") is False, timeout=10, every=0.1)
    assert error_of(_order(client, admin, "pigeons"))["fields"] == {
        "category": "not in this community's catalogue"}
    listed = client.get(f"/communities/{cid}/categories", headers=admin).json()
    assert "pigeons" not in {c["code"] for c in listed}
    # removed twice: the second finds nothing to remove
    assert client.delete(f"/communities/{cid}/categories/pigeons",
                         headers=admin).status_code == 404


def test_before_the_copy_is_primed_an_order_takes_its_category_as_given(platform):
    """Intake down at dispatch's first start: refusing would make 制单 wait on intake."""
    client = platform.start(DispatchService)
    cid, admin = platform.community_id(), platform.headers("community_admin")
    assert CATEGORIES.check(cid, "road") is None
    assert _order(client, admin, "road").status_code == 201
