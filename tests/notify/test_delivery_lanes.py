"""A person's deliveries on the real store, driven by hand with a channel of our own (the
running service's timer does not see them while their `next_ts` is far ahead): the oldest
goes first, a failure backs off, one given up lets the next go, a claim is won once."""

from __future__ import annotations

import time
from typing import Any

from deploy.waits import wait_until
from services.common import paging
from services.common.config import Settings
from services.notify import sending
from services.notify.channels import ChannelError
from services.notify.models import Delivery
from tests.notify.helpers import tag

FAR = 10**9  # seconds ahead: out of the service's own poll


class Scripted:
    """A Channel that refuses the ids it is told to refuse and keeps what it took."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse, self.taken = refuse, []

    def send(self, delivery_id: str, payload: dict[str, Any]) -> None:
        if delivery_id in self.refuse:
            raise ChannelError("answered 500")
        self.taken.append(delivery_id)


class Only:
    def __init__(self, channel: Scripted) -> None:
        self.channel = channel

    def has(self, name: str) -> bool:
        return name == "webhook"

    def get(self, name: str) -> Scripted:
        return self.channel


def _delivery(user: str, n: int) -> Delivery:
    delivery_id = f"n-{user}-{n}:webhook"
    made = Delivery(id=delivery_id, notification_id=f"n-{user}-{n}", recipient=user,
                    channel="webhook", payload={"n": n, "user_id": user}, created_ts=time.time(),
                    next_ts=time.time() + FAR,
                    lane_key=paging.page_key(f"{user}:webhook", 1000.0 + n, delivery_id))
    made.save(force_insert=True)
    return made


def _fresh(d: Delivery) -> Delivery:
    return Delivery.objects(id=d.id).first()


def test_the_oldest_goes_first_a_given_up_one_lets_the_lane_go_on(nplatform, receiver):
    user = f"u-lane-{tag()}"
    first, second = _delivery(user, 1), _delivery(user, 2)
    channel = Scripted(refuse={first.id})
    settings = Settings(notify_max_attempts=2, notify_retry_base_seconds=FAR,
                        notify_retry_max_seconds=FAR)

    assert sending._one(_fresh(second), Only(channel), settings) == 0  # behind the first
    assert channel.taken == [] and _fresh(second).state == "pending"
    assert sending._one(_fresh(first), Only(channel), settings) == 0  # refused: backs off
    once = _fresh(first)
    assert (once.state, once.attempts, once.last_error) == ("pending", 1, "answered 500")
    assert once.next_ts > time.time() + FAR / 2
    assert sending._one(_fresh(second), Only(channel), settings) == 0  # still behind it
    assert sending._one(_fresh(first), Only(channel), settings) == 0  # refused again: given up
    given_up = _fresh(first)
    assert (given_up.state, given_up.attempts, given_up.next_ts, given_up.lane_key) == (
        "failed", 2, None, None)
    # the next of the lane is due at once (woken, not left behind the given-up one's
    # lease), and the running service takes it from here through the package's receiver
    assert wait_until(lambda: _fresh(second).state == "sent", timeout=15, every=0.1)
    assert [r["delivery"] for r in receiver.accepted(user)] == [second.id]
    assert channel.taken == []


def test_a_stale_copy_cannot_claim_what_another_replica_claimed(nplatform):
    user = f"u-race-{tag()}"
    only = _delivery(user, 1)
    channel = Scripted(refuse=set())
    settings = Settings()
    stale = _fresh(only)
    assert sending._one(_fresh(only), Only(channel), settings) == 1
    assert sending._one(stale, Only(channel), settings) == 0  # its version is gone
    assert channel.taken == [only.id]
