"""抢单: the first valid claim wins under concurrency; caps; 响应 deadlines; hand-back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from deploy.waits import wait_until
from services.dispatch.models import ClaimCounter, SweepMark
from services.dispatch.service import DispatchService
from services.dispatch.upkeep import reconcile_claim_counters
from tests.dispatch.helpers import token_headers, triage
from tests.platform import error_of


def test_fifty_members_claim_one_order_at_once_and_exactly_one_wins(platform):
    client = platform.start(DispatchService)
    issue_id = triage(platform, route="party_volunteer")
    members = [token_headers(platform, "volunteer", f"u-member-{i}") for i in range(50)]
    order_id = f"o-{issue_id}"

    start = threading.Barrier(50)

    def claim(headers: dict) -> tuple[int, dict]:
        start.wait(timeout=30)  # all 50 fire together
        response = client.post(f"/orders/{order_id}/claim", headers=headers)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(claim, members))

    winners = [body for status, body in results if status == 200]
    assert len(winners) == 1, [s for s, _ in results]
    assert sorted({s for s, _ in results}) == [200, 409]
    assert {b["error"]["code"] for s, b in results if s == 409} == {"conflict"}
    winner = winners[0]["claimed_by"]
    admin = platform.headers("community_admin")
    order = client.get(f"/orders/{order_id}", headers=admin).json()
    assert order["state"] == "claimed" and order["claimed_by"] == winner
    assert [t["kind"] for t in order["timeline"]] == ["created", "claimed"]
    # Every loser's claim slot was given back; the winner holds one.
    assert {c.id: c.open_claims for c in ClaimCounter.objects if c.open_claims} == {winner: 1}


def test_a_member_cannot_hold_more_open_claims_than_the_cap(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    community_id = platform.community_id("A")
    assert client.put(f"/grids/policy?community_id={community_id}", headers=admin,
                      json={"claim_cap": 1}).status_code == 200
    first, second = (triage(platform, route="party_volunteer") for _ in range(2))
    member = platform.headers("volunteer")
    assert client.post(f"/orders/o-{first}/claim", headers=member).status_code == 200
    capped = client.post(f"/orders/o-{second}/claim", headers=member)
    assert capped.status_code == 409
    assert error_of(capped)["fields"] == {"claim_cap": "1"}
    handed = client.post(f"/orders/o-{first}/hand-back", headers=member,
                         json={"reason": "out of town"})
    assert handed.status_code == 200 and handed.json()["state"] == "open"
    assert client.post(f"/orders/o-{second}/claim", headers=member).status_code == 200


def test_a_claim_not_acknowledged_in_time_returns_to_the_pool_with_the_miss(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    made = client.post("/orders", headers=admin, json={
        "category": "elderly_care", "summary": "陪老人看病", "route": "party_volunteer",
        "response_hours": 1.5 / 3600, "resolution_hours": 1})
    assert made.status_code == 201, made.text
    order_id = made.json()["id"]
    member = platform.headers("volunteer")
    assert client.post(f"/orders/{order_id}/claim", headers=member).status_code == 200
    def order_now() -> dict:
        return client.get(f"/orders/{order_id}", headers=admin).json()

    assert wait_until(lambda: order_now()["state"] == "open", timeout=6, every=0.1)
    order = order_now()
    assert order["misses"] == 1 and order["claimed_by"] is None
    assert "claim_lapsed" in [t["kind"] for t in order["timeline"]]
    late = client.post(f"/orders/{order_id}/acknowledge", headers=member)
    assert late.status_code == 403


def test_an_acknowledged_order_keeps_its_responder(platform):
    client = platform.start(DispatchService)
    issue_id = triage(platform, route="party_volunteer")
    member = platform.headers("volunteer")
    assert client.post(f"/orders/o-{issue_id}/claim", headers=member).status_code == 200
    acked = client.post(f"/orders/o-{issue_id}/acknowledge", headers=member)
    assert acked.status_code == 200 and acked.json()["state"] == "in_progress"
    other = platform.headers("volunteer", "A", "2")
    taken = client.post(f"/orders/o-{issue_id}/claim", headers=other)
    assert taken.status_code == 409 and error_of(taken)["message"] == "already claimed"


def test_claim_counters_a_crash_left_too_high_come_back_to_the_orders_held(platform):
    client = platform.start(DispatchService)
    order_id = f"o-{triage(platform, route='party_volunteer')}"
    member = token_headers(platform, "volunteer", "u-holder")
    assert client.post(f"/orders/{order_id}/claim", headers=member).status_code == 200
    # As if processes died after taking slots whose orders were never committed.
    ClaimCounter.objects(id="u-holder").update_one(set__open_claims=3)
    ClaimCounter(id="u-ghost", key="u-ghost", open_claims=2).save()
    assert reconcile_claim_counters() == 2
    assert {c.id: c.open_claims for c in ClaimCounter.objects} == {"u-holder": 1, "u-ghost": 0}
    assert reconcile_claim_counters() == 0


def test_the_counter_repair_walks_a_bounded_batch_per_run_and_resumes_where_it_stopped(platform):
    platform.start(DispatchService)
    for name in ("u-a", "u-b", "u-c"):
        ClaimCounter(id=name, key=name, open_claims=1).save()  # none holds an order
    assert [reconcile_claim_counters(batch=2), reconcile_claim_counters(batch=2)] == [2, 1]
    assert {c.open_claims for c in ClaimCounter.objects} == {0}
    assert SweepMark.objects.get(id="claim_counters").after == ""  # the walk starts over
