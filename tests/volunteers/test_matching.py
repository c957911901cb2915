"""Matching through the gateway: ranked with each score's parts; offers walk the candidates
on decline and on a lapsed deadline (the PollTimer), and stop at an accept."""

from __future__ import annotations

import uuid

from deploy.waits import wait_until
from tests.dispatch.helpers import token_headers
from tests.volunteers.helpers import grid_tree, profile_body, wait_events

MONDAY_10 = 1_796_608_800.0  # 2026-12-07 10:00 UTC+8
MORNINGS = [{"weekday": 0, "start_minute": 540, "end_minute": 720}]


def _people(vplatform, grids: dict[str, str], tag: str) -> dict[str, dict]:  # noqa: ANN001
    client = vplatform.client
    rows = {"plumber_w1": ("plumbing", "W1", MORNINGS), "plumber_e": ("plumbing", "E", MORNINGS),
            "repairer_w2": ("repair", "W2", MORNINGS), "tutor_w1": ("tutoring", "W1", MORNINGS),
            "plumber_w1_busy": ("plumbing", "W1", [])}
    people = {}
    for name, (skill, grid, windows) in rows.items():
        account = f"u-{name}-{tag}"
        headers = token_headers(vplatform, "volunteer", account)
        saved = client.put("/volunteers/profile", headers=headers, json=profile_body(
            display_name=name, skills=[skill], grid_id=grids[grid], windows=windows))
        assert saved.status_code == 200, saved.text
        people[name] = {"id": account, "headers": headers}
    return people


def test_ranking_shows_each_part_and_offers_walk_the_candidates(vplatform):
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    grids = grid_tree(vplatform)
    people = _people(vplatform, grids, tag)
    ours = {p["id"] for p in people.values()}
    admin = vplatform.headers("community_admin")
    need = {"skill": "plumbing", "grid_id": grids["W1"], "at_ts": MONDAY_10, "k": 50}
    ranked = [r for r in client.post("/matches/rank", headers=admin, json=need).json()
              if r["account_id"] in ours]
    order = [r["display_name"] for r in ranked]
    # By hand: the plumber in W1, available: .35 + .25 + .2 + .1 + .06 = .96; the plumber in
    # E (only the root shared: .5): .35 + .125 + .2 + .1 + .06 = .835; the plumber in W1 with
    # no window: .35 + .25 + 0 + .1 + .06 = .76; the repairer in W2 (shares W, depth 2: .7;
    # broader skill .6): .21 + .175 + .2 + .1 + .06 = .745; the tutor does not fit.
    assert order == ["plumber_w1", "plumber_e", "plumber_w1_busy", "repairer_w2"]
    assert [r["score"] for r in ranked] == [0.96, 0.835, 0.76, 0.745]
    assert ranked[0]["parts"] == {"skill": 0.35, "near": 0.25, "availability": 0.2,
                                  "load": 0.1, "rating": 0.06, "certified": 0.0}

    made = client.post("/matches", headers=admin, json={**need, "k": 50, "offer_minutes": 0.01})
    assert made.status_code == 201, made.text
    match = made.json()
    first = match["offered_to"]
    assert first == ranked[0]["account_id"] or first not in ours  # another test's plumber
    # The first candidate declines; the next one lets the offer lapse (0.6 s); the walk goes on.
    by_id = {p["id"]: p for p in people.values()}
    if first in by_id:
        declined = client.post(f"/matches/{match['id']}/answer",
                               headers=by_id[first]["headers"], json={"accept": False})
        assert declined.status_code == 200
    assert wait_until(lambda: len(client.get(f"/matches/{match['id']}", headers=admin)
                                  .json()["offers"]) >= 3, timeout=10, every=0.2)
    offers = client.get(f"/matches/{match['id']}", headers=admin).json()["offers"]
    assert "timed_out" in [o["outcome"] for o in offers]
    assert [o["account_id"] for o in offers] == [c["account_id"]
                                                 for c in match["candidates"]][:len(offers)]


def test_an_accepted_offer_for_a_wish_claims_it_and_shows_the_contact(vplatform):
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    grids = grid_tree(vplatform)
    helper_id = f"u-fixer-{tag}"
    helper = token_headers(vplatform, "volunteer", helper_id)
    client.put("/volunteers/profile", headers=helper, json=profile_body(
        display_name="热心修理工", skills=["sign_language"], grid_id=grids["W1"],
        contact={"phone": "+86 136 5555 0000"}))
    resident = token_headers(vplatform, "resident", f"u-res-{tag}")
    wish = client.post("/wishes", headers=resident, json={
        "title": "手语翻译", "detail": "陪同就医", "skill": "sign_language",
        "grid_id": grids["W1"]}).json()
    made = client.post("/matches", headers=resident, json={
        "need_kind": "wish", "need_id": wish["id"], "k": 1, "offer_minutes": 30})
    assert made.status_code == 201, made.text
    match = made.json()
    assert match["offered_to"] is None and match["candidates"] == []  # not the resident's to see
    assert match["volunteer_contact"] is None
    admin = vplatform.headers("community_admin")
    assert client.get(f"/matches/{match['id']}", headers=admin).json()["offered_to"] == helper_id
    stranger = token_headers(vplatform, "volunteer", f"u-x-{tag}")
    assert client.post(f"/matches/{match['id']}/answer", headers=stranger,
                       json={"accept": True}).status_code == 404
    offered = client.get("/matches?offered=true", headers=helper).json()["items"]
    assert [m["id"] for m in offered] == [match["id"]]
    accepted = client.post(f"/matches/{match['id']}/answer", headers=helper,
                           json={"accept": True})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    (event,) = wait_events("match.accepted", match_id=match["id"])
    assert (event["volunteer_account_id"], event["need_id"], event["rank"]) == (
        helper_id, wish["id"], 1)
    seen = client.get(f"/matches/{match['id']}", headers=resident).json()
    assert seen["volunteer_contact"]["phone"] == "+86 136 5555 0000"
    claimed = client.get(f"/wishes/{wish['id']}", headers=resident).json()
    assert (claimed["state"], claimed["volunteer_account_id"]) == ("claimed", helper_id)
    assert client.get(f"/volunteers/{helper_id}", headers=admin).json()["load"] == 1
    # The resident confirms (twice): the load the acceptance gave drops once.
    for _ in range(2):
        assert client.post(f"/wishes/{wish['id']}/fulfil", headers=resident,
                           json={}).status_code == 200
    assert client.get(f"/volunteers/{helper_id}", headers=admin).json()["load"] == 0
