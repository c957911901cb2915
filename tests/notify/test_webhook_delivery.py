"""Must show: the webhook channel against a real local receiver that fails the first two
deliveries: each notification delivered once, in order, after the retries."""

from __future__ import annotations

import time

from deploy.waits import wait_until
from services.common.contracts.points import RedemptionConfirmed
from services.notify import metrics
from tests.dispatch.helpers import token_headers
from tests.notify.helpers import publish, tag


def _sent(outcome: str) -> float:
    return metrics.DELIVERIES.labels("webhook", outcome)._value.get()


def test_each_notification_reaches_the_webhook_once_in_order_after_two_failures(
        nplatform, receiver):
    client, community = nplatform.client, nplatform.community_id("A")
    resident = f"u-res-{tag()}"
    headers = token_headers(nplatform, "resident", resident)
    chosen = client.put("/me/notification-preferences", headers=headers,
                        json={"channels": {"redemption_confirmed": ["webhook"]}})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["channels"]["redemption_confirmed"] == ["in_app", "webhook"]
    sent_before, retried_before = _sent("sent"), _sent("retried")

    redemptions = [f"rd-{tag()}-{i}" for i in range(3)]
    for i, rid in enumerate(redemptions):
        publish(nplatform, "points", RedemptionConfirmed(
            redemption_id=rid, community_id=community, merchant_id="shop-A",
            resident_id=resident, price=10 + i, latency_seconds=1.0), community)

    assert wait_until(lambda: len(receiver.accepted(resident)) == 3, timeout=20, every=0.1)
    time.sleep(1.0)  # nothing goes out again once it was taken
    mine = [r for r in receiver.requests if r["payload"]["user_id"] == resident]
    assert [r["answered"] for r in mine] == [500, 500, 200, 200, 200]
    assert all(r["signed"] for r in mine)
    # the first failed twice and the others waited behind it: the order of the events
    assert [r["payload"]["ref"] for r in mine] == [f"redemption:{redemptions[0]}"] * 3 + [
        f"redemption:{rid}" for rid in redemptions[1:]]
    accepted = [r["delivery"] for r in receiver.accepted(resident)]
    assert len(set(accepted)) == 3  # each delivery id once
    assert (_sent("sent") - sent_before, _sent("retried") - retried_before) == (3, 2)

    # the inbox holds the three as well (in_app is always on). It lists by arrival (its
    # read markers need that), and three events handled by parallel workers may arrive in
    # any order: only the webhook lane above keeps the events' order.
    inbox = client.get("/me/notifications", headers=headers).json()
    personal = [n["ref"] for n in inbox["items"] if n["audience"] == "personal"]
    assert sorted(personal) == sorted(f"redemption:{rid}" for rid in redemptions)
    assert len(client.get("/me/notifications", headers=headers,
                          params={"unread": True}).json()["items"]) == len(inbox["items"])


def test_a_redelivered_event_is_neither_a_second_notification_nor_a_second_delivery(
        nplatform, receiver):
    client, community = nplatform.client, nplatform.community_id("A")
    resident = f"u-res-{tag()}"
    headers = token_headers(nplatform, "resident", resident)
    client.put("/me/notification-preferences", headers=headers,
               json={"channels": {"redemption_confirmed": ["sms"]}})
    event = RedemptionConfirmed(redemption_id=f"rd-{tag()}", community_id=community,
                                merchant_id="shop-A", resident_id=resident, price=5,
                                latency_seconds=1.0)
    from nameko.standalone.events import event_dispatcher

    from services.common.caller import Caller
    from services.common.contracts.envelope import new_event

    envelope = new_event(event, Caller.system(), community).to_message()
    for _ in range(3):  # the broker delivering the same event three times
        event_dispatcher(nplatform.config)("points", "redemption.confirmed", envelope)
    assert wait_until(lambda: len(receiver.accepted(resident)) == 1, timeout=15, every=0.1)
    time.sleep(1.0)
    assert len(receiver.accepted(resident)) == 1
    # refused twice (the receiver fails each person's first two), taken once
    assert [r["answered"] for r in receiver.requests
            if r["payload"]["user_id"] == resident] == [500, 500, 200]
    assert receiver.accepted(resident)[0]["payload"]["channel"] == "sms"
    items = client.get("/me/notifications", headers=headers).json()["items"]
    assert len([n for n in items if n["audience"] == "personal"]) == 1
