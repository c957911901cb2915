"""The small-matters route (小事党群办) end to end by events: intake's triaged issue makes a
pool order at dispatch; volunteers opens its match (m-o-<order>) and offers it in turn; a
skill set on the order offers it afresh to those who fit; the acceptance's match.accepted
has dispatch assign the order to that volunteer; handed back, it is offered afresh to the
others."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.dispatch import OrderClaimed, OrderConfirmed
from tests.dispatch.helpers import token_headers, triage
from tests.volunteers.helpers import events, profile_body, wait_events

ALWAYS = [{"weekday": d, "start_minute": 0, "end_minute": 1440} for d in range(7)]


def _volunteers(vplatform, tag: str) -> tuple[dict, dict]:  # noqa: ANN001
    """Two fitting volunteers: the one available at any hour ranks first."""
    people = []
    for name, windows in (("first", ALWAYS), ("second", [])):
        account = f"u-order-{name}-{tag}"
        headers = token_headers(vplatform, "volunteer", account)
        saved = vplatform.client.put("/volunteers/profile", headers=headers, json=profile_body(
            display_name=name, skills=["bicycles"], windows=windows))
        assert saved.status_code == 200, saved.text
        people.append({"id": account, "headers": headers})
    return people[0], people[1]


def _match(vplatform, order_id: str, admin: dict | None = None,  # noqa: ANN001
           **want: object) -> dict:
    admin = admin or vplatform.headers("community_admin")
    url = f"/matches/m-o-{order_id}"
    got: dict = {}

    def ready() -> bool:
        answer = vplatform.client.get(url, headers=admin)
        got.update(answer.json() if answer.status_code == 200 else {})
        return answer.status_code == 200 and all(got.get(k) == v for k, v in want.items())

    assert wait_until(ready, timeout=10, every=0.1), (want, got)
    return got


def test_a_pool_order_is_matched_offered_by_skill_and_assigned_to_who_accepts(vplatform):
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    first, second = _volunteers(vplatform, tag)
    admin = vplatform.headers("community_admin")
    order_id = f"o-{triage(vplatform, route='party_volunteer')}"
    opened = _match(vplatform, order_id, need_kind="order", skill=None, round=0)
    assert opened["state"] in ("offering", "exhausted")

    # Only the community's admins set the skill; another community's is told it does not exist.
    body = {"skill": "bicycles"}
    assert client.put(f"/orders/{order_id}/skill", headers=first["headers"],
                      json=body).status_code == 403
    assert client.put(f"/orders/{order_id}/skill", headers=vplatform.headers(
        "community_admin", "B"), json=body).status_code == 404
    assert client.put(f"/orders/{order_id}/skill", headers=admin,
                      json={"skill": "juggling"}).status_code == 422
    set_ = client.put(f"/orders/{order_id}/skill", headers=admin, json=body)
    assert set_.status_code == 200 and set_.json()["skill"] == "bicycles", set_.text
    # A fresh sequence over the candidates for the new skill, best first.
    match = _match(vplatform, order_id, skill="bicycles", round=1)
    ours = [c["account_id"] for c in match["candidates"]
            if c["account_id"] in (first["id"], second["id"])]
    assert ours == [first["id"], second["id"]]
    assert match["offered_to"] == match["candidates"][0]["account_id"]
    assert [o["account_id"] for o in match["offers"]] == [match["offered_to"]]

    # Whoever is offered declines until ours is; the first of ours accepts.
    while match["offered_to"] != first["id"]:
        other = token_headers(vplatform, "volunteer", match["offered_to"])
        assert client.post(f"/matches/{match['id']}/answer", headers=other,
                           json={"accept": False}).status_code == 200
        match = client.get(f"/matches/{match['id']}", headers=admin).json()
    accepted = client.post(f"/matches/{match['id']}/answer", headers=first["headers"],
                           json={"accept": True})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    wait_events("match.accepted", match_id=match["id"])
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).json()[
        "claimed_by"] == first["id"], timeout=10, every=0.1)
    order = client.get(f"/orders/{order_id}", headers=admin).json()
    assert order["state"] == "claimed" and first["id"] in order["members"]
    assert [e["responder"] for e in order["timeline"] if e["kind"] == "assigned"] == [first["id"]]
    # A held order's skill is not changed under its holder.
    assert client.put(f"/orders/{order_id}/skill", headers=admin,
                      json={"skill": "repair"}).status_code == 409

    # The volunteer hands it back: a fresh sequence, never to them again; their load drops.
    assert client.get(f"/volunteers/{first['id']}", headers=admin).json()["load"] == 1
    before_back = datetime.now(UTC)
    back = client.post(f"/orders/{order_id}/hand-back", headers=first["headers"],
                       json={"reason": "临时出差"})
    assert back.status_code == 200 and back.json()["state"] == "open", back.text
    again = _match(vplatform, order_id, round=2)
    assert first["id"] not in [c["account_id"] for c in again["candidates"]]
    assert again["state"] == "offering" and again["offered_to"] != first["id"]
    assert second["id"] in [c["account_id"] for c in again["candidates"]]
    assert [o["account_id"] for o in again["offers"]] == [again["offered_to"]]
    assert wait_until(lambda: client.get(f"/volunteers/{first['id']}", headers=admin).json()[
        "load"] == 0, timeout=10, every=0.1)
    # Each event type has its own queue: the claim from before the hand-back, arriving late,
    # does not stop the fresh sequence.
    stale = new_event(OrderClaimed(order_id=order_id, community_id=order["community_id"],
                                   level=order["level"], responder_id=first["id"]),
                      Caller.system(), order["community_id"])
    stale = stale.model_copy(update={"occurred_at": before_back})
    with entrypoint_waiter(vplatform.containers["volunteers"], "on_order_claimed", timeout=10):
        event_dispatcher(vplatform.config)("dispatch", "order.claimed", stale.to_message())
    assert client.get(f"/matches/{again['id']}", headers=admin).json()["state"] == "offering"


def test_an_order_claimed_from_the_pool_stops_its_offers(vplatform):
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    helper = {"id": f"u-comp-{tag}"}
    helper["headers"] = token_headers(vplatform, "volunteer", helper["id"])
    assert client.put("/volunteers/profile", headers=helper["headers"], json=profile_body(
        skills=["companionship"])).status_code == 200
    admin = vplatform.headers("community_admin")
    order_id = f"o-{triage(vplatform, route='party_volunteer')}"
    _match(vplatform, order_id, round=0)
    assert client.put(f"/orders/{order_id}/skill", headers=admin,
                      json={"skill": "companionship"}).status_code == 200
    match = _match(vplatform, order_id, round=1, offered_to=helper["id"])
    member = token_headers(vplatform, "volunteer", f"u-member-{tag}")
    claimed = client.post(f"/orders/{order_id}/claim", headers=member)
    assert claimed.status_code == 200, claimed.text
    _match(vplatform, order_id, state="cancelled", next_due_ts=None)
    late = client.post(f"/matches/{match['id']}/answer", headers=helper["headers"],
                       json={"accept": True})
    assert late.status_code == 409
    assert client.get(f"/orders/{order_id}", headers=admin).json()["claimed_by"] == (
        f"u-member-{tag}")


def test_a_confirmed_order_gives_its_volunteer_their_load_back_once(vplatform):
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    account = f"u-care-{tag}"
    helper = token_headers(vplatform, "volunteer", account)
    assert client.put("/volunteers/profile", headers=helper, json=profile_body(
        skills=["disability_care"])).status_code == 200
    admin = vplatform.headers("community_admin")
    order_id = f"o-{triage(vplatform, route='party_volunteer')}"
    _match(vplatform, order_id, round=0)
    assert client.put(f"/orders/{order_id}/skill", headers=admin,
                      json={"skill": "disability_care"}).status_code == 200
    match = _match(vplatform, order_id, round=1, offered_to=account)
    assert client.post(f"/matches/{match['id']}/answer", headers=helper,
                       json={"accept": True}).status_code == 200
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).json()[
        "claimed_by"] == account, timeout=10, every=0.1)
    assert client.get(f"/volunteers/{account}", headers=admin).json()["load"] == 1
    for path, body in (("acknowledge", None), ("result", {"result": "已陪同就医"})):
        done = client.post(f"/orders/{order_id}/{path}", headers=helper, json=body)
        assert done.status_code == 200, done.text
    confirmed = client.post(f"/orders/{order_id}/confirm", headers=admin)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert wait_until(lambda: client.get(f"/volunteers/{account}", headers=admin).json()[
        "load"] == 0, timeout=10, every=0.1)
    order = confirmed.json()
    again = new_event(OrderConfirmed(order_id=order_id, community_id=order["community_id"],
                                     level=order["level"], result="已陪同就医"),
                      Caller.system(), order["community_id"])  # the same news, a new envelope
    with entrypoint_waiter(vplatform.containers["volunteers"], "on_order_confirmed",
                           timeout=10):
        event_dispatcher(vplatform.config)("dispatch", "order.confirmed", again.to_message())
    profile = client.get(f"/volunteers/{account}", headers=admin).json()
    assert (profile["load"], profile["hours_total"]) == (0, 0.25)
    # Its hours are logged once, from its resolution time (seconds here: a quarter hour at
    # least), and points pays them (10 an hour, rounded down: 2) beside the 10 a member
    # earns for a resolved order.
    (logged,) = wait_events("volunteer.hours_logged", source_id=order_id)
    assert (logged["source_kind"], logged["account_id"], logged["hours"], logged["log_id"]) == (
        "order", account, 0.25, f"h-order-{order_id}-{account}")
    assert wait_until(lambda: client.get("/points/balance", headers=helper).json()[
        "active"] == 12, timeout=15, every=0.3), client.get(
        "/points/balance", headers=helper).json()
    time.sleep(0.5)  # a second log, had there been one, is relayed by now
    assert len(events("volunteer.hours_logged", source_id=order_id)) == 1
