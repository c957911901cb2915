"""The demo seed's care step: a catalogue with a session each, the resident's booking for
their mother, and an elderly person living alone with a weekly rota. The step reads only
`Demo`, so the accounts are made up here."""

from __future__ import annotations

from deploy import seed
from tests.care.helpers import tag


def test_the_seed_adds_the_catalogue_a_booking_and_a_rota(cplatform):
    tenancy, t = cplatform.tenancy(), tag()
    demo = seed.Demo(district=tenancy.district, steps=["identity", "dispatch"],
                     communities=[tenancy.communities["B"]])
    community = tenancy.communities["B"]
    for name, role in (("community_admin", "community_admin"), ("resident", "resident"),
                       ("gridworker", "grid_worker"), ("volunteer01", "volunteer")):
        demo.users[name] = {"id": f"u-seed-{name}-{t}", "role": role,  # care trusts callers
                            "district_id": tenancy.district["id"],
                            "street_id": community["street_id"], "community_id": community["id"]}
    admin = {"user_id": demo.users["community_admin"]["id"], "role": "community_admin",
             "district_id": tenancy.district["id"], "community_id": tenancy.communities["B"]["id"],
             "street_id": tenancy.communities["B"]["street_id"]}
    with cplatform.rpc() as rpc:
        seed.seed_care(rpc, demo)
        services = rpc.care.list_services(None, tenancy.communities["B"]["id"], 100)["items"]
        elders = rpc.care.list_elders(admin, None, False, 100)["items"]
        resident = {k: v for k, v in admin.items() if k != "role"} | {
            "role": "resident", "user_id": demo.users["resident"]["id"]}
        bookings = rpc.care.list_bookings(resident)["items"]
    kinds = {s["kind"] for s in services}
    assert {"meal_aid", "health_check", "after_school"} <= kinds
    assert [b["beneficiary_ref"] for b in bookings] == ["mother"]
    (elder,) = [e for e in elders if e["grid_worker_id"] == demo.users["gridworker"]["id"]]
    assert elder["every_days"] == 7 and elder["volunteer_ids"] == [demo.users["volunteer01"]["id"]]
