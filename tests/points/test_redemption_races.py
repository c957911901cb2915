"""Redemption through the gateway on the real store and broker: races, isolation, verify."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client import REGISTRY

from deploy.waits import wait_until
from services.points import verify
from services.points.service import PointsService
from tests.platform import error_of
from tests.points import helpers
from tests.points.helpers import World


@pytest.fixture(scope="module")
def world(module_platform) -> World:
    module_platform.start(PointsService)
    return helpers.build(module_platform)


def test_a_hundred_parallel_redemptions_on_points_for_ten_give_exactly_ten(world):
    offer = helpers.offer(world, price=10)
    user, headers = helpers.resident(world, 100)
    client = world.platform.client

    def ask(_: int) -> int:
        return client.post("/points/redemptions", headers=headers,
                           json={"offer_id": offer["id"]}).status_code

    with ThreadPoolExecutor(32) as pool:
        codes = list(pool.map(ask, range(100)))
    assert codes.count(201) == 10, codes
    assert set(codes) == {201, 409}, codes
    assert helpers.balance(world, headers) | {"user_id": None} == {
        "community_id": user["community_id"], "user_id": None, "active": 0, "locked": 100,
        "spent": 0, "expired": 0}
    stock = client.get(f"/points/offers/{offer['id']}", headers=headers).json()
    assert stock["stock"] == 1000 - 10  # the 90 refused gave their units back
    accounts = world.db()["accounts"]
    assert accounts.find_one({"balance": {"$lt": 0}, "kind": {"$ne": "pool"}}) is None


def test_twenty_racing_confirmations_of_one_code_confirm_it_once(world):
    offer = helpers.offer(world, price=30)
    _, headers = helpers.resident(world, 30)
    client = world.platform.client
    made = client.post("/points/redemptions", headers=headers, json={"offer_id": offer["id"]})
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    racers = [world.merchant] * 10 + [world.other_merchant] * 5 + [headers] * 5

    def confirm(who: dict) -> int:
        return client.post("/points/redemptions/confirm", headers=who,
                           json={"code": code}).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(confirm, racers))
    assert codes[:10].count(200) == 1 and set(codes[:10]) == {200, 409}, codes
    assert set(codes[10:15]) == {404}, codes  # another merchant: no such code
    assert set(codes[15:]) == {403}, codes  # the resident cannot confirm their own
    helpers.settled(world, made.json()["id"])
    assert helpers.balance(world, headers)["spent"] == 30
    assert helpers.balance(world, headers)["locked"] == 0
    taken = client.get(f"/points/offers/{offer['id']}", headers=headers).json()["taken"]
    assert taken == 1


def test_a_merchant_sees_and_confirms_only_its_own_redemptions(world):
    offer, headers, made = helpers.issued(world, 5)
    client = world.platform.client
    other = world.other_merchant
    assert client.get(f"/points/redemptions/{made['id']}", headers=other).status_code == 404
    listed = client.get("/points/redemptions", headers=other).json()["items"]
    assert made["id"] not in [r["id"] for r in listed]
    seen = client.get(f"/points/redemptions/{made['id']}", headers=world.merchant)
    assert seen.status_code == 200 and seen.json()["code"] is None  # learnt at the counter
    mine = client.get("/points/redemptions", headers=world.merchant).json()["items"]
    assert made["id"] in [r["id"] for r in mine]
    merchant_b = helpers.signed(world.platform, "merchant", "B", "1")
    assert client.post("/points/redemptions/confirm", headers=merchant_b,
                       json={"code": made["code"]}).status_code == 404


def test_a_merchant_reads_what_a_code_is_for_before_confirming_it_and_only_its_own(world):
    offer, headers, made = helpers.issued(world, 5)
    client = world.platform.client
    check = {"code": made["code"]}
    read = client.post("/points/redemptions/check", headers=world.merchant, json=check)
    assert read.status_code == 200, read.text
    assert read.json() | {"expires_at": None} == {
        "redemption_id": made["id"], "offer_id": offer["id"], "offer_title": offer["title"],
        "price": 5, "state": "issued", "expires_at": None, "confirmable": True,
        "refusal": None}
    assert "resident_id" not in read.json() and "code" not in read.json()
    again = client.get(f"/points/redemptions/{made['id']}", headers=headers).json()
    assert again["state"] == "issued"  # reading it changed nothing
    for stranger in (world.other_merchant, helpers.signed(world.platform, "merchant", "B", "1")):
        assert client.post("/points/redemptions/check", headers=stranger,
                           json=check).status_code == 404
    assert client.post("/points/redemptions/check", headers=headers,
                       json=check).status_code == 403
    assert client.post("/points/redemptions/check", headers=world.merchant,
                       json={"code": "no!"}).status_code == 422
    assert client.post("/points/redemptions/confirm", headers=world.merchant,
                       json=check).status_code == 200
    after = client.post("/points/redemptions/check", headers=world.merchant, json=check).json()
    assert (after["state"], after["confirmable"]) == ("confirmed", False)
    assert "confirmed" in after["refusal"]


def test_community_b_admin_can_neither_award_nor_read_a(world):
    user, _ = helpers.resident(world, 1)
    client = world.platform.client
    community_a = world.platform.community_id("A")
    award = client.post("/points/awards", headers=world.admin_b, json={
        "community_id": community_a, "user_id": user["id"], "points": 5, "reason": "x"})
    assert award.status_code == 404, award.text
    assert client.get(f"/points/ledger?community_id={community_a}",
                      headers=world.admin_b).status_code == 404
    assert client.get(f"/points/balance?community_id={community_a}&user_id={user['id']}",
                      headers=world.admin_b).status_code == 404
    own = client.get(f"/points/ledger?community_id={community_a}", headers=world.admin)
    assert own.status_code == 200 and own.json()["items"]


def test_an_award_names_an_account_of_its_community_once_points_knows_them(world):
    """Community B gets real accounts (A keeps the signed-only residents: its mirror stays
    unprimed, so A's awards are accepted as named, the lenient window of mirror.py)."""
    platform, client = world.platform, world.platform.client
    community_b = platform.community_id("B")
    real = platform.user("resident", "B", "award")
    staff = platform.user("grid_worker", "B", "award")  # of B, but not a resident
    db = world.db()
    assert wait_until(lambda: all(db["account_mirror"].find_one({"_id": f"{community_b}:{u}"})
                                  for u in (real["id"], staff["id"]))
                      and db["account_mirror_marks"].find_one({"_id": "backfill"}), 20, every=0.1)
    before = db["awards"].count_documents({})
    for user_id in ("u-nobody", "u-resident-A-1", staff["id"]):  # made up; of A; B's staff
        refused = client.post("/points/awards", headers=world.admin_b, json={
            "user_id": user_id, "points": 5, "reason": "x"})
        assert refused.status_code == 422, refused.text
        assert "user_id" in error_of(refused)["fields"]
    assert db["awards"].count_documents({}) == before  # nothing half-written
    paid = client.post("/points/awards", headers=world.admin_b, json={
        "user_id": real["id"], "points": 5, "reason": "x"})
    assert paid.status_code == 201 and paid.json()["state"] == "posted", paid.text


def test_an_award_above_the_threshold_waits_for_a_second_admin(world):
    user, headers = helpers.resident(world, 0)
    client = world.platform.client
    made = client.post("/points/awards", headers=world.admin, json={
        "user_id": user["id"], "points": 500, "reason": "年度优秀志愿者"})
    assert made.status_code == 201 and made.json()["state"] == "awaiting_approval"
    again = client.post(f"/points/awards/{made.json()['id']}/approve", headers=world.admin)
    assert again.status_code == 403  # the maker cannot be the checker
    checker = helpers.signed(world.platform, "community_admin", "A", "2")
    done = client.post(f"/points/awards/{made.json()['id']}/approve", headers=checker)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "posted" and done.json()["approved_by"] != made.json()[
        "made_by"]
    assert helpers.balance(world, headers)["active"] == 500


def test_verify_reports_zero_drift_then_the_balance_someone_corrupted(world):
    community_a = world.platform.community_id("A")
    report = helpers.verify(world, community_a)
    assert report["drift"] == 0 and report["zero_sum"] and report["complete"], report
    assert report["postings"] > 100 and report["in_transit"] == 0
    user, _ = helpers.resident(world, 7)
    accounts = world.db()["accounts"]
    acct = f"acct:{community_a}:resident:{user['id']}"
    accounts.update_one({"_id": acct}, {"$inc": {"balance": 3}})
    broken = helpers.verify(world, community_a)
    assert broken["drift"] == 3 and not broken["zero_sum"]
    assert broken["mismatched"] == [{"account_id": acct, "balance": 10, "expected": 7}]
    accounts.update_one({"_id": acct}, {"$inc": {"balance": -3}})
    assert helpers.verify(world, community_a)["drift"] == 0


def test_an_expired_code_releases_points_and_stock_once(world):
    community_a = world.platform.community_id("A")
    world.db()["policies"].update_one({"_id": community_a},
                                      {"$set": {"redemption_ttl_seconds": 1.0}}, upsert=True)
    try:
        offer = helpers.offer(world, price=4, stock=1)
        _, headers = helpers.resident(world, 4)
        client = world.platform.client
        made = client.post("/points/redemptions", headers=headers,
                           json={"offer_id": offer["id"]}).json()
        doc = helpers.settled(world, made["id"])
    finally:
        world.db()["policies"].update_one({"_id": community_a},
                                          {"$set": {"redemption_ttl_seconds": 900.0}})
    assert doc["state"] == "expired"
    assert helpers.balance(world, headers)["active"] == 4
    assert client.get(f"/points/offers/{offer['id']}", headers=headers).json()["stock"] == 1
    releases = world.db()["postings"].count_documents({"source": made["id"],
                                                       "reason": "release"})
    assert releases == 1
    late = client.post("/points/redemptions/confirm", headers=world.merchant,
                       json={"code": made["code"]})
    assert late.status_code == 409


def test_a_cancelled_redemption_gives_back_and_the_qr_carries_the_code(world):
    offer, headers, made = helpers.issued(world, 6)
    client = world.platform.client
    svg = client.get(f"/points/redemptions/{made['id']}/qr.svg", headers=headers)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg")
    png = client.get(f"/points/redemptions/{made['id']}/qr.png", headers=headers)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    cancelled = client.post(f"/points/redemptions/{made['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    helpers.settled(world, made["id"])
    assert helpers.balance(world, headers)["active"] == 6
    again = client.post(f"/points/redemptions/{made['id']}/cancel", headers=headers)
    assert again.status_code == 200 and again.json()["state"] == "cancelled"  # idempotent
    assert helpers.balance(world, headers)["active"] == 6  # released once


def test_a_redemption_retried_with_its_idempotency_key_is_one_redemption(world):
    offer = helpers.offer(world, price=3)
    _, headers = helpers.resident(world, 9)
    client = world.platform.client
    keyed = headers | {"Idempotency-Key": "redeem-once-1"}
    first = client.post("/points/redemptions", headers=keyed, json={"offer_id": offer["id"]})
    # The gateway's record gone (a crash after the service's write): the service dedupes.
    client.app.state.idempotency.delete_many({})
    second = client.post("/points/redemptions", headers=keyed, json={"offer_id": offer["id"]})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert helpers.balance(world, headers)["active"] == 6


def _cli(world: World) -> subprocess.CompletedProcess:
    linli = world.platform.config["LINLI"]
    env = {"LINLI_MONGO_URI": linli["mongo_uri"], "LINLI_DB_PREFIX": linli["db_prefix"],
           "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "services.points.verify", "--community",
                           world.platform.community_id("A")], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_the_verify_cli_and_the_drift_gauge_see_a_corrupted_balance(world):
    user, _ = helpers.resident(world, 12)
    community_a = world.platform.community_id("A")
    acct = f"acct:{community_a}:resident:{user['id']}"
    world.db()["accounts"].update_one({"_id": acct}, {"$inc": {"balance": -2}})
    try:
        broken = _cli(world)
        assert broken.returncode == 1 and '"drift":2' in broken.stdout, broken.stdout
        verify.refresh_drift(batch=100)  # the service's timer, on the container's connection
        gauge = REGISTRY.get_sample_value("linli_points_ledger_drift",
                                          {"community_id": community_a})
        assert gauge == 3  # 2 of drift, 1 for books that do not sum to zero
    finally:
        world.db()["accounts"].update_one({"_id": acct}, {"$inc": {"balance": 2}})


def test_statement_pages_ranking_masks_and_settlement_lists_the_confirmed(world):
    from datetime import UTC, datetime, timedelta

    from deploy.waits import wait_until

    client = world.platform.client
    user, headers = helpers.resident(world, 0)
    for points in (10, 20, 30):
        assert client.post("/points/awards", headers=world.admin, json={
            "user_id": user["id"], "points": points, "reason": "好人好事"}).status_code == 201
    shown = client.put("/points/publication", headers=headers,
                       json={"mask": "full", "display_name": "王芳"})
    assert shown.status_code == 200 and shown.json()["active"] == 60
    seen, cursor = [], None
    while True:
        page = client.get("/points/statement", headers=headers,
                          params={"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        seen += [p["amount"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [30, 20, 10]  # newest first, each once

    def ranked() -> bool:
        entries = client.get("/points/ranking", headers=headers).json()["entries"]
        return {"name": "王芳", "points": 60} in [
            {k: e[k] for k in ("name", "points")} for e in entries]

    assert wait_until(ranked, timeout=10, every=0.2)  # re-keyed by the batched aftercare
    offer = helpers.offer(world, price=7)
    made = client.post("/points/redemptions", headers=headers,
                       json={"offer_id": offer["id"]}).json()
    assert client.post("/points/redemptions/confirm", headers=world.merchant,
                       json={"code": made["code"]}).status_code == 200
    period = {"start": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
              "end": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    statement = client.get("/points/settlement", headers=world.merchant, params=period).json()
    assert made["id"] in [line["redemption_id"] for line in statement["lines"]]
    assert statement["points"] == sum(line["price"] for line in statement["lines"])
    text = client.get("/points/settlement.csv", headers=world.merchant, params=period)
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/csv")
    assert made["id"] in text.text and text.text.splitlines()[0].startswith("redemption_id")
    other = client.get("/points/settlement", headers=world.other_merchant, params=period)
    assert made["id"] not in other.text


def _as(world: World, role: str, where: str = "A", name: str = "1") -> dict:
    tenancy = world.platform.tenancy()
    community = tenancy.communities[where]
    who = {"user_id": f"u-{role}-{where}-{name}", "role": role,
           "district_id": tenancy.district["id"], "street_id": community["street_id"],
           "community_id": community["id"]}
    return who | ({"merchant_id": f"merchant-{where}-{name}"} if role == "merchant" else {})


def test_the_service_checks_role_and_community_itself_without_the_gateway(world):
    from services.common.errors import DomainError

    _, headers = helpers.resident(world, 5)
    offer = helpers.offer(world, price=5)
    made = world.platform.client.post("/points/redemptions", headers=headers,
                                      json={"offer_id": offer["id"]}).json()
    community_a = world.platform.community_id("A")
    resident = {**_as(world, "resident"), "user_id": made["resident_id"]}
    calls = [
        ("make_award", _as(world, "resident"), ({"user_id": "x", "points": 1,
                                                 "reason": "r"},), 403),
        ("onboard_merchant", _as(world, "merchant"), ({"merchant_id": "m", "name": "n",
                                                       "modes": ["trial"]},), 403),
        ("confirm_redemption", resident, ({"code": made["code"]},), 403),
        ("confirm_redemption", _as(world, "merchant", "A", "2"), ({"code": made["code"]},), 404),
        ("get_redemption", _as(world, "merchant", "A", "2"), (made["id"],), 404),
        ("get_redemption", _as(world, "community_admin", "B"), (made["id"],), 404),
        ("list_ledger", _as(world, "community_admin", "B"), (community_a,), 404),
        ("make_award", _as(world, "community_admin", "B"), ({
            "community_id": community_a, "user_id": "x", "points": 1, "reason": "r"},), 404),
        ("get_balance", _as(world, "merchant"), (community_a, made["resident_id"]), 403),
        ("set_rule", _as(world, "community_admin", "B"), (community_a, "vote_cast",
                                                          {"points": 1}), 404),
        ("request_redemption", _as(world, "resident", "B"), ({"offer_id": offer["id"]},), 404),
        ("cancel_redemption", _as(world, "resident", "A", "other"), (made["id"],), 404),
    ]
    with world.platform.rpc() as rpc:
        for method, who, args, status in calls:
            with pytest.raises(DomainError) as refused:
                getattr(rpc.points, method)(who, *args)
            assert refused.value.status == status, (method, who["role"], refused.value)


def test_points_earned_in_a_year_expire_at_the_end_of_the_next_once(world):
    import time as clock

    from services.points import expiry, ledger

    user, headers = helpers.resident(world, 30)
    client = world.platform.client
    offer = helpers.offer(world, price=10)
    made = client.post("/points/redemptions", headers=headers,
                       json={"offer_id": offer["id"]}).json()
    assert client.post("/points/redemptions/confirm", headers=world.merchant,
                       json={"code": made["code"]}).status_code == 200
    helpers.settled(world, made["id"])
    community_a = world.platform.community_id("A")
    this_year = ledger.year_of(clock.time())

    def run(year_ended: int) -> int:
        expired, cursor = expiry.run_page(community_a, year_ended, 1, None)
        while cursor:
            more, cursor = expiry.run_page(community_a, year_ended, 1, cursor)
            expired += more
        return expired

    assert run(this_year) >= 0  # the end of this year: this year's points are not due yet
    assert helpers.balance(world, headers)["active"] == 20
    run(this_year + 1)  # the end of the next: 30 earned - 10 spent expire
    run(this_year + 1)  # a second run (a replica, a restart) expires nothing more
    assert helpers.balance(world, headers) | {"user_id": None, "community_id": None} == {
        "user_id": None, "community_id": None, "active": 0, "locked": 0, "spent": 10,
        "expired": 20}
    assert world.db()["postings"].count_documents({"key": {"$regex": f"^expire:.*{user['id']}"
                                                           }}) == 1
    assert helpers.verify(world, community_a)["drift"] == 0
    policies = world.db()["policies"]
    policies.update_one({"_id": community_a}, {"$set": {"expiry_due_ts": clock.time() - 1}})
    expiry.run_due(clock.time())  # the timer at this year end: the next one is set
    assert policies.find_one({"_id": community_a})["expiry_due_ts"] == expiry.year_end_ts(
        this_year + 1) and helpers.balance(world, headers)["expired"] == 20


def test_points_locked_over_their_year_end_expire_at_release_once_even_racing_the_run(world):
    """Two residents hold 30 points earned (backdated here) two years ago, 10 of them locked
    in a redemption over the year end: one cancels while the year end's run is going, the
    other after it. Each ends with all 30 expired, the release's part keyed by redemption."""
    import time as clock

    from services.common.contracts.points import AccountKind
    from services.points import expiry, ledger

    client, db = world.platform.client, world.db()
    community_a = world.platform.community_id("A")
    this_year = ledger.year_of(clock.time())
    offer = helpers.offer(world, price=10)
    held = []
    for _ in range(2):
        user, headers = helpers.resident(world, 30)
        made = client.post("/points/redemptions", headers=headers,
                           json={"offer_id": offer["id"]}).json()
        acct = ledger.account_id(community_a, AccountKind.resident, user["id"])
        db["accounts"].update_one({"_id": acct}, {"$rename": {
            f"earned_{this_year}": f"earned_{this_year - 2}"}})  # due at last year's end
        held.append((user, headers, made, acct))

    def run() -> int:
        expired, cursor = expiry.run_page(community_a, this_year - 1, 1, None)
        while cursor:
            more, cursor = expiry.run_page(community_a, this_year - 1, 1, cursor)
            expired += more
        return expired

    def cancel(made: dict) -> int:
        return client.post(f"/points/redemptions/{made['id']}/cancel",
                           headers=held[0][1]).status_code

    with ThreadPoolExecutor(3) as pool:  # the run, and the first resident's cancel twice
        racing = [pool.submit(run), pool.submit(cancel, held[0][2]),
                  pool.submit(cancel, held[0][2])]
        assert [f.result() for f in racing][1:] == [200, 200]
    helpers.settled(world, held[0][2]["id"])
    assert client.post(f"/points/redemptions/{held[1][2]['id']}/cancel",
                       headers=held[1][1]).status_code == 200  # after the run
    helpers.settled(world, held[1][2]["id"])
    run()  # a replica's run again: nothing more
    for user, headers, made, acct in held:
        assert helpers.balance(world, headers) | {"user_id": None, "community_id": None} == {
            "user_id": None, "community_id": None, "active": 0, "locked": 0, "spent": 0,
            "expired": 30}, user
        expiries = list(db["postings"].find({"reason": "expire", "debit": acct}))
        assert sum(p["amount"] for p in expiries) == 30, expiries
        assert {p["key"] for p in expiries} <= {f"expire:{acct}:{this_year - 1}",
                                               f"expire:release:{made['id']}"}
    # after the run, the release alone expired what it gave back
    assert db["postings"].find_one({"key": f"expire:release:{held[1][2]['id']}"})[
        "amount"] == 10
    assert helpers.verify(world, community_a)["drift"] == 0


def test_a_verify_page_stops_at_its_posting_budget_even_inside_one_account(world, monkeypatch):
    """With reads of 2 and a budget of 3, the pool (every award and earning) is walked over
    many pages, resumed from the cursor on its posting key: the same figures as one pass."""
    community_a = world.platform.community_id("A")
    whole = verify.verify_community(community_a)
    pool = f"acct:{community_a}:pool"
    pool_postings = world.db()["postings"].count_documents({"debit": pool})
    monkeypatch.setattr(verify, "POSTING_PAGE", 2)
    monkeypatch.setattr(verify, "POSTING_BUDGET", 3)
    first = verify.verify_page(community_a)
    assert not first.complete and first.next_cursor
    cursor, pages, inside_pool = None, 0, 0
    totals = [0, 0, 0, 0]
    while True:
        page = verify.verify_page(community_a, cursor)
        pages += 1
        totals = [totals[0] + page.accounts, totals[1] + page.postings,
                  totals[2] + page.drift, totals[3] + page.balance_sum + page.in_transit]
        cursor = page.next_cursor
        if cursor is None:
            break
        _, walk = verify._decode(community_a, cursor)
        inside_pool += walk is not None and walk.account == pool
    assert inside_pool >= pool_postings // 2 >= 3  # one read of 2 a page: never taken whole
    assert totals == [whole.accounts, whole.postings, 0, 0], (totals, whole)
    assert pages > whole.accounts
    paged = verify.verify_community(community_a)
    assert (paged.accounts, paged.postings, paged.drift, paged.zero_sum) == (
        whole.accounts, whole.postings, 0, True)
    cursor = first.next_cursor  # a walk inside the pool, then the pool moves: it restarts
    while (walk := verify._decode(community_a, cursor)[1]) is None or walk.account != pool:
        cursor = verify.verify_page(community_a, cursor).next_cursor
    someone = world.db()["accounts"].find_one({"community_id": community_a, "kind": "resident"})
    moved_by = world.platform.client.post("/points/awards", headers=world.admin, json={
        "user_id": someone["owner_id"], "points": 1, "reason": "x"})  # pool → a resident
    assert moved_by.status_code == 201, moved_by.text
    moved = verify.verify_page(community_a, cursor)
    assert verify._decode(community_a, moved.next_cursor)[1].attempts == 1
    refused = world.platform.client.get(
        f"/points/verify?community_id={community_a}&cursor=x.bm90LWpzb24",
        headers=helpers.signed(world.platform, "ops"))
    assert refused.status_code == 422 and "cursor" in error_of(refused)["fields"]
