"""Each aggregate's share of the service's figures (the gauges' counters), from its state.

The commit frame writes `after - before` of these into the aggregate's own write and folds
it into `Tally` once (services/common/counters.py), so a crash between a change and its
counters cannot lose or double a count. Values are integers (the counters' differences
are): hours are counted in minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

EVERYWHERE = "*"


def minutes(hours: float | None) -> int:
    return round((hours or 0.0) * 60)


def scoped(community_id: str, share: dict[str, int]) -> dict[str, dict[str, int]]:
    """The same share for the community and for the whole deployment."""
    share = {k: v for k, v in share.items() if v}
    return {EVERYWHERE: share, f"c:{community_id}": share}


def profile(consent: bool, skills: Iterable[str]) -> dict[str, int]:
    """A consenting profile counts once among volunteers and once under each skill it holds."""
    if not consent:
        return {}
    return {"volunteers": 1, **{f"skill:{s}": 1 for s in dict.fromkeys(skills)}}


def wish(state: str, hours: float | None) -> dict[str, int]:
    """An open wish is on the board; a fulfilled one logged its hours."""
    if state == "open":
        return {"open_wishes": 1}
    if state == "fulfilled":
        return {"fulfilled_wishes": 1, "hour_minutes": minutes(hours)}
    return {}


def activity(participants: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The hours each checked-out participant logged (once per person: the check-out); an
    activity someone checked in to was held (the 五微 board's figure)."""
    people = list(participants)
    return {"hour_minutes": sum(minutes(p.get("hours")) for p in people
                                if p.get("checked_out_ts") is not None),
            "activities_held": int(any(p.get("checked_in_ts") for p in people))}


def order(hours_logged: float | None) -> dict[str, int]:
    """An order's match logged its volunteer's hours with the confirmation."""
    return {"hour_minutes": minutes(hours_logged)}


def project(kind: str, state: str, phases: Iterable[str | None]) -> dict[str, int]:
    """A renewal (微更新) counts once made, and once published with its photos: done, with
    a before and an after photo (the 五微 view reads both, per community)."""
    if kind != "renewal":
        return {}
    shown = {"before", "after"} <= set(phases)
    return {"renewal_projects": 1, "renewal_published": int(state == "completed" and shown)}
