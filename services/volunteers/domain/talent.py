"""The talent archive (达人档案): a volunteer scored on the four looks (四看) from what the
service recorded, for self-management committee nominations.

Each look is 0-100; the total is their mean. The counters are the profile's own (moved by
the writers: a claim, a confirmation, a check-out, an answered offer).

- participation (参与): activities attended and hours served — 10 per activity, 5 per hour
- cooperation (协作): team work — 15 per activity attended, 20 per match accepted
- execution (执行): what was taken on and done — fulfilled wishes and accepted offers over
  claimed wishes and every offer answered or let lapse
- recognition (认可): the residents' ratings — 20 × the average, damped below 3 ratings
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LOOKS = ("participation", "cooperation", "execution", "recognition")


def looks(counters: Mapping[str, Any]) -> dict[str, float]:
    def n(name: str) -> float:
        return float(counters.get(name) or 0)

    attended, hours = n("activities_attended"), n("hours_total")
    accepted, declined = n("offers_accepted"), n("offers_declined")
    claimed, fulfilled = n("wishes_claimed"), n("wishes_fulfilled")
    ratings, rating_sum = n("rating_count"), n("rating_sum")
    taken = claimed + accepted + declined
    got = {
        "participation": min(100.0, 10 * attended + 5 * hours),
        "cooperation": min(100.0, 15 * attended + 20 * accepted),
        "execution": 100.0 * (fulfilled + accepted) / taken if taken else 0.0,
        "recognition": (20.0 * rating_sum / ratings) * min(1.0, ratings / 3) if ratings else 0.0,
    }
    return {k: round(min(100.0, v), 2) for k, v in got.items()}


def total(scored: Mapping[str, float]) -> float:
    return round(sum(scored[k] for k in LOOKS) / len(LOOKS), 2)
