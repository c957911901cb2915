"""Each gateway process's map of revoked accounts (user id → not-before time), refreshed by
a bounded poll of identity, so no request asks identity whether its token still holds.

A token of a user in the map issued before that user's not-before time is refused. The
poll runs every `revocation_poll_seconds` (15 s by default) with the RPC timeout, so a
revocation reaches every gateway within poll + timeout (under a minute). Entries older than
the access token's lifetime are dropped: every token they could refuse has expired.
While identity does not answer, the last map keeps serving (logged, and the age is in
`linli_gateway_revocations_age_seconds`); nothing can be revoked meanwhile either.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import Gauge

log = logging.getLogger(__name__)
MAX_PAGES = 20  # per tick: 10,000 revocations; the rest on the next tick
REVOCATIONS_AGE = Gauge("linli_gateway_revocations_age_seconds",
                        "Seconds since this gateway process last read identity's revocations")


def cursor_at(ts: float) -> str:
    """A cursor before every revocation at or after `ts` (identity's `revoked_key` form)."""
    return f"{ts:017.6f}|"


class Revocations:
    def __init__(self, fetch: Callable[[str | None], dict[str, Any]], poll_seconds: float,
                 horizon_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self._fetch, self._poll, self._horizon, self._clock = (
            fetch, poll_seconds, horizon_seconds, clock)
        self._not_before: dict[str, float] = {}
        self._cursor = cursor_at(clock() - horizon_seconds)
        self._synced = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refuses(self, user_id: str, issued_ts: float) -> bool:
        not_before = self._not_before.get(user_id)
        return not_before is not None and issued_ts < not_before

    def poll_once(self) -> int:
        """Read what identity revoked since the last poll; the number of entries read."""
        read = 0
        for _ in range(MAX_PAGES):
            page = self._fetch(self._cursor)
            items = page["items"]
            for item in items:
                seen = self._not_before.get(item["user_id"], 0.0)
                self._not_before[item["user_id"]] = max(seen, float(item["not_before"]))
            read += len(items)
            self._cursor = page.get("next_cursor") or self._cursor
            if not items:  # caught up (a tick with news costs one more, empty, page)
                break
        now = self._clock()
        self._not_before = {u: t for u, t in self._not_before.items()
                            if t >= now - self._horizon}
        self._synced = now
        REVOCATIONS_AGE.set(0)
        return read

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # identity down or slow: keep the last map, try again
                log.warning("revocations not refreshed (last %.0f s ago): %r",
                            self._clock() - self._synced, exc)
                REVOCATIONS_AGE.set(self._clock() - self._synced)
            self._stop.wait(self._poll)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="revocations", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
