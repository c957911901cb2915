"""A finished service is rated in a running system: the commit that ends it (a wish
fulfilled, a match's order confirmed) opens the volunteer's item in evaluation; a resident
rates it through the gateway; evaluation's item.rated moves the volunteer's profile rating."""

from __future__ import annotations

import uuid

import pytest

from deploy.waits import wait_until
from services.evaluation.models import RatingPolicy
from tests.dispatch.helpers import token_headers, triage
from tests.volunteers.helpers import profile_body
from tests.volunteers.test_orders import _match


def _evaluation_knows(vplatform) -> None:  # noqa: ANN001
    """Evaluation learns the community from identity's event (its tenancy for the item)."""
    community_id = vplatform.community_id("A")
    assert wait_until(lambda: RatingPolicy.objects(id=community_id).first() is not None,
                      timeout=10, every=0.1)


def _rate(vplatform, item_id: str, headers: dict, score: int) -> dict:  # noqa: ANN001
    """Rate once evaluation has the item (its event comes by the broker)."""
    got: dict = {}

    def rated() -> bool:
        answer = vplatform.client.post(f"/evaluation/items/{item_id}/rate", headers=headers,
                                       json={"score": score})
        got.update(status=answer.status_code, body=answer.json())
        return answer.status_code != 404

    assert wait_until(rated, timeout=10, every=0.2), got
    assert got["status"] == 200, got
    return got["body"]


def _rating(vplatform, account: str, want: float) -> None:  # noqa: ANN001
    admin = vplatform.headers("community_admin")
    seen: list = []

    def moved() -> bool:
        seen.append(vplatform.client.get(f"/volunteers/{account}", headers=admin).json()[
            "rating"])
        return seen[-1] == want

    assert wait_until(moved, timeout=10, every=0.1), seen[-3:]


@pytest.mark.timeout(120)
def test_a_fulfilled_wish_is_rated_in_evaluation_and_the_rating_reaches_the_profile(vplatform):
    _evaluation_knows(vplatform)
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    resident = token_headers(vplatform, "resident", f"u-served-{tag}")
    account = f"u-op-{tag}"
    volunteer = token_headers(vplatform, "operator", account)
    assert client.put("/volunteers/profile", headers=volunteer, json=profile_body(
        kinds=["operator"])).status_code == 200
    wish = client.post("/wishes", headers=resident, json={
        "title": "读报", "detail": "每周读报一次", "hours": 1.0}).json()
    assert client.post(f"/wishes/{wish['id']}/claim", headers=volunteer).status_code == 200
    assert client.post(f"/wishes/{wish['id']}/fulfil", headers=resident,
                       json={}).status_code == 200  # no rating here: evaluation's counts
    item = f"svc-w-{wish['id']}"
    # Only the person served may rate it (a neighbour is told it does not exist).
    neighbour = token_headers(vplatform, "resident", f"u-neighbour-{tag}")
    rated = _rate(vplatform, item, resident, 2)
    assert (rated["kind"], rated["ratings"]) == ("operator_service", 1)
    assert client.post(f"/evaluation/items/{item}/rate", headers=neighbour,
                       json={"score": 5}).status_code == 404
    _rating(vplatform, account, 2.0)


@pytest.mark.timeout(120)
def test_a_confirmed_order_opens_its_volunteers_item_for_the_communitys_residents(vplatform):
    _evaluation_knows(vplatform)
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    account = f"u-shop-{tag}"
    helper = token_headers(vplatform, "volunteer", account)
    assert client.put("/volunteers/profile", headers=helper, json=profile_body(
        skills=["shopping"])).status_code == 200
    admin = vplatform.headers("community_admin")
    order_id = f"o-{triage(vplatform, route='party_volunteer')}"
    _match(vplatform, order_id, round=0)
    assert client.put(f"/orders/{order_id}/skill", headers=admin,
                      json={"skill": "shopping"}).status_code == 200
    match = _match(vplatform, order_id, round=1, offered_to=account)
    assert client.post(f"/matches/{match['id']}/answer", headers=helper,
                       json={"accept": True}).status_code == 200
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).json()[
        "claimed_by"] == account, timeout=10, every=0.1)
    for path, body in (("acknowledge", None), ("result", {"result": "已代购"})):
        assert client.post(f"/orders/{order_id}/{path}", headers=helper,
                           json=body).status_code == 200
    assert client.post(f"/orders/{order_id}/confirm", headers=admin).status_code == 200
    item = f"svc-o-{order_id}"
    rated = _rate(vplatform, item, token_headers(vplatform, "resident", f"u-r1-{tag}"), 5)
    assert rated["kind"] == "volunteer_service"
    _rate(vplatform, item, token_headers(vplatform, "resident", f"u-r2-{tag}"), 3)
    _rating(vplatform, account, 4.0)
    # Another community's resident does not see the item.
    other = token_headers(vplatform, "resident", f"u-b-{tag}", where="B")
    assert client.post(f"/evaluation/items/{item}/rate", headers=other,
                       json={"score": 1}).status_code == 404


@pytest.mark.timeout(120)
def test_an_activitys_first_check_out_opens_its_organisers_item_for_the_participants(vplatform):
    _evaluation_knows(vplatform)
    client = vplatform.client
    tag = uuid.uuid4().hex[:6]
    account = f"u-host-{tag}"
    organiser = token_headers(vplatform, "operator", account)
    assert client.put("/volunteers/profile", headers=organiser, json=profile_body(
        kinds=["operator"], skills=["calligraphy"])).status_code == 200
    act = client.post("/activities", headers=organiser, json={
        "kind": "workshop", "title": "书法课", "detail": "周六上午", "capacity": 5,
        "starts_ts": 1_900_000_000.0, "ends_ts": 1_900_003_600.0}).json()
    door = f"/activities/{act['id']}"
    people = [token_headers(vplatform, "resident", f"u-p{i}-{tag}") for i in range(2)]
    codes = [client.post(f"{door}/sign-up", headers=p).json()["my_code"] for p in people]
    for code in codes:
        for step in ("check-in", "check-out"):
            assert client.post(f"{door}/{step}", headers=organiser,
                               json={"code": code}).status_code == 200
    item = f"svc-a-{act['id']}"
    for person, score in zip(people, (5, 4), strict=True):
        assert _rate(vplatform, item, person, score)["kind"] == "operator_service"
    stranger = token_headers(vplatform, "resident", f"u-stranger-{tag}")
    assert client.post(f"/evaluation/items/{item}/rate", headers=stranger,
                       json={"score": 1}).status_code == 404
    _rating(vplatform, account, 4.5)
