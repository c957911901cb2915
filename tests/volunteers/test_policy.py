"""A community's offer window (and order hours) is its admins' setting, validated field by
field; a new order's match offers for that long."""

from __future__ import annotations

import time
import uuid

from tests.dispatch.helpers import token_headers, triage
from tests.platform import error_of
from tests.volunteers.helpers import profile_body
from tests.volunteers.test_orders import _match


def test_only_the_communitys_admin_sets_the_offer_window_and_orders_use_it(vplatform):
    client = vplatform.client
    admin = vplatform.headers("community_admin", "B")  # B: A's tests keep the defaults
    got = client.get("/volunteers/policy", headers=admin)
    assert got.status_code == 200, got.text
    assert (got.json()["offer_minutes"], got.json()["order_hours"],
            got.json()["order_hours_max"]) == (30, 1.0, 8.0)
    for who in (token_headers(vplatform, "volunteer", "u-pol-v", where="B"),
                token_headers(vplatform, "resident", "u-pol-r", where="B"),
                vplatform.headers("street_admin", "B")):
        assert client.put("/volunteers/policy", headers=who,
                          json={"offer_minutes": 5}).status_code == 403
        assert client.get("/volunteers/policy", headers=who).status_code == 403
    for body, field in (({"offer_minutes": 0}, "offer_minutes"),
                        ({"offer_minutes": 1441}, "offer_minutes"),
                        ({"offer_minutes": 1.5}, "offer_minutes"),
                        ({"order_hours": 0}, "order_hours"),
                        ({"order_hours": 9}, "order_hours"),  # above the max of 8
                        ({"window": 5}, "window"), ({}, "offer_minutes")):
        bad = client.put("/volunteers/policy", headers=admin, json=body)
        assert bad.status_code == 422, (body, bad.text)
        assert field in error_of(bad)["fields"], (body, error_of(bad))
    saved = client.put("/volunteers/policy", headers=admin, json={"offer_minutes": 5,
                                                                   "order_hours": 2})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["offer_minutes"], saved.json()["order_hours"]) == (5, 2.0)
    # A's admin reads A's settings, untouched by B's; B's are not theirs to name.
    a_admin = vplatform.headers("community_admin")
    assert client.get("/volunteers/policy", headers=a_admin).json()["offer_minutes"] == 30
    b = vplatform.community_id("B")
    assert client.get(f"/volunteers/policy?community_id={b}", headers=a_admin).status_code == 404
    assert client.put(f"/volunteers/policy?community_id={b}", headers=a_admin,
                      json={"offer_minutes": 1}).status_code == 404
    assert client.get(f"/volunteers/policy?community_id={b}",
                      headers=admin).json()["offer_minutes"] == 5

    helper = token_headers(vplatform, "volunteer", f"u-pol-{uuid.uuid4().hex[:6]}", where="B")
    assert client.put("/volunteers/profile", headers=helper,
                      json=profile_body()).status_code == 200
    before = time.time()
    order_id = f"o-{triage(vplatform, where='B', route='party_volunteer')}"
    match = _match(vplatform, order_id, round=0, admin=admin, state="offering")
    assert before + 300 - 1 <= match["next_due_ts"] <= time.time() + 300 + 1
