"""Reading the public board the way a resident's phone would: no sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from deploy.waits import wait_until


def page(platform: Any, where: str = "A") -> dict:
    got = platform.client.get(f"/public/communities/{platform.community_id(where)}/five-micro")
    assert got.status_code == 200, got.text
    return got.json()


def figures(board: dict) -> dict[str, int | float]:
    """Every available section's figures, flat ({"open_wishes": 1, ...})."""
    return {f["key"]: f["value"] for s in board["sections"] if s["available"]
            for f in s["figures"]}


def moved(platform: Any, before: dict, want: dict[str, int | float],
          where: str = "A", timeout: float = 15) -> dict:
    """Poll the board until each figure in `want` moved by exactly that much from `before`."""
    seen: dict = {}

    def done() -> bool:
        nonlocal seen
        seen = figures(page(platform, where))
        return all(round(seen.get(k, 0) - before.get(k, 0), 2) == v for k, v in want.items())

    assert wait_until(done, timeout=timeout, every=0.2), (want, before, seen)
    return seen


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    return fn(), time.perf_counter() - started
