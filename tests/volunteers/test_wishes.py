"""Micro-wishes through the gateway: post → board → one claim wins → confirm → events."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.dispatch.helpers import token_headers
from tests.platform import error_of
from tests.volunteers.helpers import profile_body, wait_events


def test_a_wish_posted_claimed_by_one_of_many_fulfilled_logs_hours_once(vplatform):
    client = vplatform.client
    resident = vplatform.headers("resident", "A", "w1")
    posted = client.post("/wishes", headers=resident, json={
        "title": "换个灯泡", "detail": "楼道灯坏了, 老人够不着", "skill": "electrical",
        "hours": 1.5})
    assert posted.status_code == 201, posted.text
    wish = posted.json()
    assert wish["state"] == "open"
    board = client.get("/wishes", headers=resident).json()
    assert wish["id"] in [w["id"] for w in board["items"]]

    volunteers = [token_headers(vplatform, "volunteer", f"u-claim-{uuid.uuid4().hex[:6]}-{i}")
                  for i in range(6)]
    for i, headers in enumerate(volunteers):
        saved = client.put("/volunteers/profile", headers=headers, json=profile_body(
            display_name=f"志愿者{i}", contact={"phone": f"+86 139 0000 000{i}"}))
        assert saved.status_code == 200, saved.text
    start = threading.Barrier(len(volunteers))

    def claim(headers: dict) -> tuple[int, dict]:
        start.wait(timeout=30)
        response = client.post(f"/wishes/{wish['id']}/claim", headers=headers)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(volunteers)) as pool:
        results = list(pool.map(claim, volunteers))
    winners = [body for code, body in results if code == 200]
    assert len(winners) == 1, [code for code, _ in results]
    assert sorted({code for code, _ in results}) == [200, 409]
    winner = winners[0]["volunteer_account_id"]

    assert wish["id"] not in [w["id"] for w in client.get("/wishes", headers=resident)
                              .json()["items"]]
    mine = client.get(f"/wishes/{wish['id']}", headers=resident).json()
    assert mine["volunteer_contact"]["phone"].startswith("+86 139")  # the matched resident
    other = token_headers(vplatform, "resident", f"u-other-{uuid.uuid4().hex[:6]}")
    assert client.get(f"/wishes/{wish['id']}", headers=other).json()["volunteer_contact"] is None

    not_theirs = client.post(f"/wishes/{wish['id']}/fulfil", headers=other, json={})
    assert not_theirs.status_code == 404
    done = client.post(f"/wishes/{wish['id']}/fulfil", headers=resident, json={"rating": 5})
    assert done.status_code == 200 and done.json()["state"] == "fulfilled"
    again = client.post(f"/wishes/{wish['id']}/fulfil", headers=resident, json={"rating": 5})
    assert again.status_code == 200  # a repeated confirmation changes nothing

    (fulfilled,) = wait_events("wish.fulfilled", wish_id=wish["id"])
    assert fulfilled["volunteer_account_id"] == winner
    (hours,) = wait_events("volunteer.hours_logged", source_id=wish["id"])
    assert (hours["account_id"], hours["hours"], hours["source_kind"]) == (winner, 1.5, "wish")
    assert hours["log_id"] == f"h-wish-{wish['id']}-{winner}"
    profile = client.get(f"/volunteers/{winner}",
                         headers=vplatform.headers("community_admin")).json()
    assert (profile["hours_total"], profile["rating"]) == (1.5, 5.0)


def test_wish_refusals_name_the_field_and_b_never_sees_a(vplatform):
    client = vplatform.client
    resident = vplatform.headers("resident", "A", "w2")
    bad = client.post("/wishes", headers=resident, json={"title": "", "detail": "x",
                                                          "skill": "astrology"})
    assert bad.status_code == 422
    assert {"title", "skill"} <= set(error_of(bad)["fields"])
    wish = client.post("/wishes", headers=resident, json={"title": "代买药",
                                                          "detail": "感冒药"}).json()
    b_volunteer = token_headers(vplatform, "volunteer", "u-b-vol", where="B")
    assert client.post(f"/wishes/{wish['id']}/claim", headers=b_volunteer).status_code == 404
    assert wish["id"] not in str(client.get("/wishes", headers=b_volunteer).json())
    own = client.post(f"/wishes/{wish['id']}/claim", headers=token_headers(
        vplatform, "volunteer", f"u-a-{uuid.uuid4().hex[:6]}"))
    assert own.status_code == 200
    withdrawn = client.post(f"/wishes/{wish['id']}/withdraw", headers=resident)
    assert withdrawn.status_code == 409 and error_of(withdrawn)["code"] == "conflict"


def test_the_board_is_a_keyset_page(vplatform):
    client = vplatform.client
    resident = vplatform.headers("resident", "A", "w3")
    ids = [client.post("/wishes", headers=resident, json={"title": f"心愿{i}",
                                                           "detail": "d"}).json()["id"]
           for i in range(3)]
    first = client.get("/wishes/mine?limit=2", headers=resident).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(f"/wishes/mine?limit=2&cursor={first['next_cursor']}",
                      headers=resident).json()
    seen = [w["id"] for w in first["items"] + rest["items"]]
    assert seen == ids[::-1]
    junk = client.get("/wishes?cursor=bm90LW1pbmU", headers=resident)
    assert junk.status_code == 422 and "cursor" in error_of(junk)["fields"]


def test_the_gauges_read_the_writers_counters(vplatform):
    from services.volunteers import metrics
    from services.volunteers.models import EVERYWHERE, Tally

    client = vplatform.client
    before = Tally.figures(EVERYWHERE)
    volunteer = token_headers(vplatform, "volunteer", f"u-g-{uuid.uuid4().hex[:6]}")
    client.put("/volunteers/profile", headers=volunteer, json=profile_body(
        skills=["calligraphy"]))
    client.put("/volunteers/profile", headers=volunteer, json=profile_body(
        skills=["calligraphy", "dance"]))  # rewritten: counted once, by its skills now
    resident = token_headers(vplatform, "resident", f"u-g-{uuid.uuid4().hex[:6]}")
    client.post("/wishes", headers=resident, json={"title": "写春联", "detail": "过年"})
    after = Tally.figures(EVERYWHERE)
    assert after["skill:calligraphy"] - before.get("skill:calligraphy", 0) == 1
    assert after["skill:dance"] - before.get("skill:dance", 0) == 1
    assert after["volunteers"] - before.get("volunteers", 0) == 1
    assert after["open_wishes"] - before.get("open_wishes", 0) == 1
    metrics.refresh()
    assert metrics.VOLUNTEERS_BY_SKILL.labels("calligraphy")._value.get() == (
        after["skill:calligraphy"])
    assert metrics.OPEN_WISHES._value.get() == after["open_wishes"]


def test_the_counters_move_in_the_wishs_own_write_and_survive_a_crash_before_the_fold(
        vplatform, monkeypatch):
    """The difference rides in the wish's commit: a writer that dies before folding it leaves
    it on the wish, and the repair moves it once (services/common/counters)."""
    from services.common import aggregate, counters
    from services.volunteers.models import EVERYWHERE, Tally, Wish

    client = vplatform.client
    community = f"c:{vplatform.community_id('A')}"
    resident = token_headers(vplatform, "resident", f"u-c-{uuid.uuid4().hex[:6]}")
    volunteer = token_headers(vplatform, "volunteer", f"u-c-{uuid.uuid4().hex[:6]}")
    before = Tally.figures(EVERYWHERE)
    monkeypatch.setattr(aggregate, "fold_counts", lambda doc, entries: None)  # the "crash"
    wish = client.post("/wishes", headers=resident, json={
        "title": "修自行车", "detail": "链条掉了", "hours": 1.5}).json()
    monkeypatch.undo()
    raw = Wish._get_collection().find_one({"_id": wish["id"]})
    assert raw["tally_open"] and [e["scopes"][EVERYWHERE] for e in raw["tally_pending"]] == [
        {"open_wishes": 1}]
    assert Tally.figures(EVERYWHERE).get("open_wishes", 0) == before.get("open_wishes", 0)
    assert counters.repair(Wish, grace=0) >= 1
    assert counters.repair(Wish, grace=0) == 0  # folded once: nothing is left to fold
    assert Tally.figures(EVERYWHERE)["open_wishes"] == before.get("open_wishes", 0) + 1
    assert not Wish._get_collection().find_one({"_id": wish["id"]})["tally_open"]

    # Claim and confirm: off the board, 90 minutes on, each in the wish's commit.
    mine = Tally.figures(community)
    assert client.post(f"/wishes/{wish['id']}/claim", headers=volunteer).status_code == 200
    assert client.post(f"/wishes/{wish['id']}/fulfil", headers=resident,
                       json={}).status_code == 200
    after = Tally.figures(community)
    assert after["open_wishes"] - mine["open_wishes"] == -1
    assert after["hour_minutes"] - mine.get("hour_minutes", 0) == 90
    assert after["fulfilled_wishes"] - mine.get("fulfilled_wishes", 0) == 1
