"""A small cache of recent answers: bounded, short-lived, one computation per key at a time.

For public pages assembled from several services (the 五微 board): however many clients ask
for a community's page at once or again and again, its services are asked at most once per
`ttl` for it. A refusal (a DomainError: the 404 of an unknown community) is kept like an
answer, so junk ids cost one look-up each per `ttl` too.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

from services.common.errors import DomainError

T = TypeVar("T")


class Recent(Generic[T]):
    def __init__(self, size: int, ttl: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.ttl, self.clock = size, ttl, clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, tuple[float, T | None, DomainError | None]] = \
            OrderedDict()
        self._flights: dict[Hashable, Future[T]] = {}

    def get(self, key: Hashable, make: Callable[[], T], wait: float | None = None) -> T:
        """The kept answer for `key`, or `make()`'s (once, however many ask meanwhile: the
        others wait up to `wait` seconds for it)."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] > self.clock():
                self._kept.move_to_end(key)
                return _outcome(kept)
            flight = self._flights.get(key)
            mine = flight is None
            if mine:
                flight = self._flights[key] = Future()
        assert flight is not None
        if not mine:
            return flight.result(timeout=wait)
        try:
            value = make()
        except DomainError as exc:
            self._keep(key, None, exc)
            flight.set_exception(exc)
            raise
        except BaseException as exc:  # a bug: nothing kept, the waiters see it too
            with self._lock:
                self._flights.pop(key, None)
            flight.set_exception(exc)
            raise
        self._keep(key, value, None)
        flight.set_result(value)
        return value

    def peek(self, key: Hashable) -> T | None:
        """The answer kept for `key` if it is fresh and not a refusal (no computation)."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept[0] <= self.clock() or kept[2] is not None:
                return None
            return kept[1]

    def put(self, key: Hashable, value: T) -> None:
        self._keep(key, value, None)

    def _keep(self, key: Hashable, value: T | None, error: DomainError | None) -> None:
        with self._lock:
            self._flights.pop(key, None)
            self._kept[key] = (self.clock() + self.ttl, value, error)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


def _outcome(kept: tuple[float, T | None, DomainError | None]) -> T:
    _, value, error = kept
    if error is not None:
        raise error.with_traceback(None)  # a kept error raised again: not its old frames
    return value  # type: ignore[return-value]
