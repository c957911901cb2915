"""Polling until a condition holds, on tenacity."""

from __future__ import annotations

from collections.abc import Callable

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed


def wait_until(check: Callable[[], bool], timeout: float, every: float = 0.5) -> bool:
    """Call `check` until it returns True (-> True) or `timeout` seconds pass (-> False).

    An exception from `check` is not retried: it propagates at once.
    """
    try:
        Retrying(stop=stop_after_delay(timeout), wait=wait_fixed(every),
                 retry=retry_if_result(lambda ok: not ok))(check)
    except RetryError:
        return False
    return True
