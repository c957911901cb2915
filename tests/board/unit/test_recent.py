"""The board's cache of recent pages, pure: kept for its ttl, bounded, one make at a time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.common.errors import NotFound
from services.gateway.recent import Recent


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_kept_for_its_ttl_then_made_again():
    clock, made = Clock(), []
    recent: Recent[int] = Recent(10, 5.0, clock)
    make = lambda: made.append(1) or len(made)  # noqa: E731
    assert [recent.get("c", make), recent.get("c", make)] == [1, 1]
    clock.now = 5.1
    assert recent.get("c", make) == 2


def test_a_refusal_is_kept_too_and_raised_again_without_asking():
    clock, asked = Clock(), []

    def unknown() -> int:
        asked.append(1)
        raise NotFound("no such community", {"community_id": "unknown"})

    recent: Recent[int] = Recent(10, 5.0, clock)
    for _ in range(3):
        with pytest.raises(NotFound):
            recent.get("junk", unknown)
    assert len(asked) == 1
    assert recent.peek("junk") is None  # a refusal is no answer to peek at


def test_it_keeps_at_most_its_size_dropping_the_least_recently_used():
    recent: Recent[str] = Recent(2, 60.0, Clock())
    for key in ("a", "b"):
        recent.get(key, lambda key=key: key)
    recent.get("a", lambda: "again")  # a hit: "a" is now the most recent
    recent.get("c", lambda: "c")
    assert len(recent) == 2 and recent.peek("b") is None and recent.peek("a") == "a"


def test_many_asking_at_once_make_it_once():
    recent: Recent[int] = Recent(10, 60.0)
    calls, gate = [], threading.Event()

    def slow() -> int:
        calls.append(1)
        gate.wait(2)
        return 7

    with ThreadPoolExecutor(8) as pool:
        answers = [pool.submit(recent.get, "c", slow, 5) for _ in range(8)]
        time.sleep(0.2)
        gate.set()
        assert [a.result() for a in answers] == [7] * 8
    assert len(calls) == 1


def test_a_bug_is_not_kept():
    recent: Recent[int] = Recent(10, 60.0, Clock())
    with pytest.raises(ZeroDivisionError):
        recent.get("c", lambda: 1 // 0)
    assert recent.get("c", lambda: 3) == 3
