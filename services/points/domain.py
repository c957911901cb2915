"""Pure rules of points: no I/O, the clock passed in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from services.common.contracts.points import CODE_ALPHABET, CODE_LENGTH, Mask, RedemptionState
from services.common.errors import Conflict

RELEASED = frozenset({RedemptionState.cancelled, RedemptionState.expired,
                      RedemptionState.failed})
RECOVER_SECONDS = 30.0  # a step left half-done is finished (or undone) by the timer after this


def new_code() -> str:
    """A one-time code, typeable at a counter (no 0/O/1/I/L), 31^8 ≈ 8.5e11 values."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def keyed_id(prefix: str, *parts: str) -> str:
    """An id derived from who asked and their Idempotency-Key: a retry names the same record."""
    return f"{prefix}-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]


def confirmable(state: str, expires_ts: float | None, now: float) -> None:
    """Whether a merchant may confirm a redemption now (refusal: 409 with the state)."""
    if state != RedemptionState.issued.value:
        raise Conflict(f"this redemption is {state}", {"state": state})
    if expires_ts is None or now >= expires_ts:
        raise Conflict("this code has expired", {"state": "expired"})


def cancellable(state: str) -> None:
    if state != RedemptionState.issued.value:
        raise Conflict(f"this redemption is {state}", {"state": state})


def due_transition(state: str, created_ts: float, expires_ts: float | None,
                   now: float) -> RedemptionState | None:
    """What the timer does to a redemption that fell due: expire an issued code, fail a
    request left pending past recovery; None: nothing (settling only, or not yet)."""
    if state == RedemptionState.issued.value and expires_ts is not None and now >= expires_ts:
        return RedemptionState.expired
    if state == RedemptionState.pending.value and now >= created_ts + RECOVER_SECONDS:
        return RedemptionState.failed
    return None


@dataclass(frozen=True)
class Caps:
    daily: int  # 0: none
    weekly: int


def week_of(ts: float) -> tuple[str, str]:
    """(ISO week "2026-W49", day "2026-12-02") of an epoch, UTC."""
    at = datetime.fromtimestamp(ts, UTC)
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}", at.strftime("%Y-%m-%d")


def grant(points: int, caps: Caps, used_day: int, used_week: int) -> int:
    """How much of `points` the caps leave (never negative)."""
    left = points
    if caps.daily:
        left = min(left, caps.daily - used_day)
    if caps.weekly:
        left = min(left, caps.weekly - used_week)
    return max(0, left)


def earned_points(per_unit: int, units: float) -> int:
    """A rule's points for `units` (hours for volunteer hours; 1 otherwise), rounded down."""
    return max(0, int(per_unit * units))


def masked(name: str | None, mask: Mask | str, number: int) -> str:
    """A resident's name in the ranking, as they chose (公示)."""
    name = (name or "").strip()
    if mask == Mask.full.value and name:
        return name
    if mask == Mask.initial.value and name:
        return name[0] + "*"
    return f"居民{number:04d}"


def needs_checker(points: int, threshold: int) -> bool:
    """Maker/checker: an award above the community's threshold waits for a second admin."""
    return points > threshold


def expiring(earned_by_year: dict[int, int], through_year: int, spent: int, expired: int,
             active: int) -> int:
    """How much of a resident's active points expire: what the years up to `through_year`
    earned, less what was spent and expired before (oldest points go first), never more
    than the active balance (locked points wait for their redemption's end)."""
    due = sum(v for y, v in earned_by_year.items() if y <= through_year) - spent - expired
    return max(0, min(active, due))
