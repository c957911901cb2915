"""The 五微 board through the gateway with the services running: no sign-in, five sections
in the seed's order, figures that move with the real flows, and nobody's name in it."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from deploy.waits import wait_until
from tests.board.helpers import figures, moved, page
from tests.deliberation.helpers import hall_body, minutes_body, roster, slot_start
from tests.dispatch.helpers import token_headers
from tests.platform import error_of
from tests.volunteers.helpers import profile_body

SECTIONS = ["micro_wish", "micro_volunteering", "micro_governance", "micro_points",
            "micro_renewal"]


def test_the_board_answers_anyone_with_the_five_sections_and_links_that_work(bplatform):
    client = bplatform.client
    board = page(bplatform)
    assert board["community"] == {"id": bplatform.community_id("A"), "name": "Community A"}
    assert [s["key"] for s in board["sections"]] == SECTIONS
    assert [s["name"] for s in board["sections"]] == ["微心愿", "微志愿", "微治理", "微积分",
                                                      "微更新"]
    assert all(s["available"] and s["reason"] is None for s in board["sections"])
    renewal = board["sections"][4]
    assert {f["key"]: f["value"] for f in renewal["figures"]} == {
        "renewal_projects": 0, "renewal_published": 0}  # no renewal counter yet: 0
    resident = bplatform.headers("resident", "A", "board-reader")
    for link in [link for s in board["sections"] for link in s["links"]]:
        assert link["sign_in"] and link["href"].endswith(
            f"?community_id={bplatform.community_id('A')}")
        assert client.get(link["href"], headers=resident).status_code == 200, link
    for link in board["links"]:  # 公示: the public lists need no sign-in either
        assert not link["sign_in"] and client.get(link["href"]).status_code == 200, link


def test_unknown_community_is_404_and_a_junk_id_is_422(bplatform):
    client = bplatform.client
    missing = client.get("/public/communities/c-no-such-place/five-micro")
    assert missing.status_code == 404 and error_of(missing)["fields"] == {
        "community_id": "unknown"}
    junk = client.get("/public/communities/%24where%3A1/five-micro")  # "$where:1"
    assert junk.status_code == 422 and "community_id" in error_of(junk)["fields"]


def test_a_wish_fulfilled_and_an_activity_held_move_wishes_hours_and_activities(bplatform):
    client = bplatform.client
    before = figures(page(bplatform))
    resident_user = bplatform.user("resident", "A", "wisher")
    resident = bplatform.headers("resident", "A", "wisher")
    wish = client.post("/wishes", headers=resident, json={
        "title": "换个灯泡", "detail": "楼道灯坏了", "hours": 1.5}).json()
    moved(bplatform, before, {"open_wishes": 1, "fulfilled_wishes": 0})
    volunteer_id = f"u-board-vol-{uuid.uuid4().hex[:6]}"
    volunteer = token_headers(bplatform, "volunteer", volunteer_id)
    phone = f"+86 139 {uuid.uuid4().int % 10**8:08d}"
    assert client.put("/volunteers/profile", headers=volunteer, json=profile_body(
        display_name="热心的李阿姨", contact={"phone": phone})).status_code == 200
    assert client.post(f"/wishes/{wish['id']}/claim", headers=volunteer).status_code == 200
    assert client.post(f"/wishes/{wish['id']}/fulfil", headers=resident,
                       json={"rating": 5}).status_code == 200
    moved(bplatform, before, {"open_wishes": 0, "fulfilled_wishes": 1, "hours": 1.5})

    organiser = token_headers(bplatform, "operator", f"u-board-op-{uuid.uuid4().hex[:6]}")
    now = time.time()
    act = client.post("/activities", headers=organiser, json={
        "kind": "workshop", "title": "义修小屋", "detail": "修小家电", "capacity": 3,
        "starts_ts": now + 3600, "ends_ts": now + 3 * 3600}).json()
    code = client.post(f"/activities/{act['id']}/sign-up", headers=volunteer).json()["my_code"]
    door = f"/activities/{act['id']}"
    assert client.post(f"{door}/check-in", headers=organiser, json={"code": code}).json()[
        "action"] == "checked_in"
    moved(bplatform, before, {"activities_held": 1, "hours": 1.5})
    assert client.post(f"{door}/check-out", headers=organiser, json={"code": code}).json()[
        "action"] == "checked_out"
    moved(bplatform, before, {"activities_held": 1, "hours": 3.5, "fulfilled_wishes": 1})

    text = json.dumps(page(bplatform), ensure_ascii=False)
    for personal in (resident_user["id"], resident_user["username"],
                     resident_user["display_name"], volunteer_id, "热心的李阿姨", phone,
                     wish["title"]):
        assert personal not in text, personal
    untouched = figures(page(bplatform, "B"))
    assert untouched.get("fulfilled_wishes", 0) == 0  # A's flows are A's figures


def test_a_topic_listed_a_meeting_held_and_its_vote_closed_move_the_governance_figures(
        bplatform):
    client = bplatform.client
    admin = bplatform.headers("community_admin", "A")
    before = figures(page(bplatform))
    topic = client.post("/topics", headers=admin, json={
        "title": "楼道堆物", "detail": "占用消防通道, 议定清理方案", "category": "blue"})
    assert topic.status_code == 201 and topic.json()["state"] == "listed", topic.text
    moved(bplatform, before, {"topics_listed": 1, "meetings_held": 0})

    hall = client.post("/halls", headers=admin, json=hall_body()).json()
    people = roster(bplatform)
    start = slot_start()
    meeting = client.post("/meetings", headers=admin, json={
        "topic_id": topic.json()["id"], "hall_id": hall["id"], "starts_ts": start,
        "ends_ts": start + 3600, "participants": people}).json()
    mid = meeting["id"]
    assert client.post(f"/meetings/{mid}/minutes", headers=admin, json=minutes_body(
        [p["account_id"] for p in people], tasks=1)).status_code == 200
    moved(bplatform, before, {"topics_listed": 1, "meetings_held": 1, "votes_closed": 0})
    assert client.post(f"/meetings/{mid}/review", headers=admin,
                       json={"approve": True}).json()["state"] == "reviewed"
    voter = bplatform.user("resident", "A", "board-voter")
    voter_headers = bplatform.headers("resident", "A", "board-voter")  # signed in before
    assert client.post(f"/meetings/{mid}/vote", headers=admin, json={
        "electorate": [{"household_id": "hh-board", "members": [voter["id"]]}],
        "closes_ts": time.time() + 1.5}).status_code == 200
    cast = client.post(f"/meetings/{mid}/ballots", headers=voter_headers,
                       json={"choice": "yes"})
    assert cast.status_code == 201, cast.text
    assert wait_until(lambda: client.get(f"/meetings/{mid}", headers=admin).json()["state"]
                      == "approved", timeout=10, every=0.2)
    moved(bplatform, before, {"topics_listed": 1, "meetings_held": 1,
                              "decisions_approved": 1, "votes_closed": 1})


def test_points_awarded_and_redeemed_move_the_points_earned_and_redeemed(bplatform):
    client = bplatform.client
    admin = bplatform.headers("community_admin", "A")
    earner = bplatform.user("resident", "A", "board-earner")
    before = figures(page(bplatform))

    made = bplatform.award(admin, earner["id"], 30, "志愿服务")
    assert made.status_code == 201 and made.json()["state"] == "posted", made.text
    moved(bplatform, before, {"earned": 30, "redeemed": 0})

    shop = f"m-board-{uuid.uuid4().hex[:6]}"
    assert client.post("/points/merchants", headers=admin, json={
        "merchant_id": shop, "name": "东寺便利店", "modes": ["points_exchange"]}
    ).status_code == 201
    merchant = token_headers(bplatform, "merchant", f"u-{shop}", merchant_id=shop)
    now = datetime.now(UTC)
    offer = client.post("/points/offers", headers=merchant, json={
        "title": "理发", "price": 10, "stock": 5, "valid_from": (now - timedelta(hours=1))
        .isoformat(), "valid_until": (now + timedelta(days=1)).isoformat()})
    assert offer.status_code == 201, offer.text
    made = client.post("/points/redemptions", headers=bplatform.headers(
        "resident", "A", "board-earner"), json={"offer_id": offer.json()["id"]})
    assert made.status_code == 201, made.text
    confirmed = client.post("/points/redemptions/confirm", headers=merchant,
                            json={"code": made.json()["code"]})
    assert confirmed.status_code == 200, confirmed.text
    moved(bplatform, before, {"earned": 30, "redeemed": 10})
    text = json.dumps(page(bplatform), ensure_ascii=False)
    assert earner["display_name"] not in text and shop not in text
