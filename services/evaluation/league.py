"""Fair rankings and early warning (研判预警), pure: no I/O.

Rankings: a unit is ranked on a rate only with at least `min_sample` items behind it (one
quick fix must not top a league); units under it are listed as unranked with their sample.
Equal rates (to 4 decimals) share a rank (1, 2, 2, 4) and the tie is named; a tie is not
broken by anything the rate does not measure. Movement is the rank in the previous period
minus the rank now (positive: up), None if the unit was not ranked then.

Early warning: per grid and category, the issues of the last `window_days` against the
same unit's own trailing baseline (the mean of the `baseline_windows` windows before). A
rising cluster is at least `min_count` issues and at least `factor` times the baseline
(a baseline under `floor` counts as `floor`, so a quiet grid needs `min_count` to fire, and
flat noise around any level never reaches 3×). The month's top topics are the categories
with most issues, ties by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_SAMPLE = 20


@dataclass(frozen=True)
class Entry:
    unit: str
    value: float | None
    sample: int


@dataclass(frozen=True)
class Ranked:
    unit: str
    value: float | None
    sample: int
    rank: int | None  # None: unranked
    movement: int | None
    note: str


def rank(entries: Sequence[Entry], min_sample: int = MIN_SAMPLE,
         previous: Mapping[str, int] | None = None) -> list[Ranked]:
    previous = previous or {}
    eligible = [e for e in entries if e.value is not None and e.sample >= min_sample]
    eligible.sort(key=lambda e: (-round(e.value or 0.0, 4), e.unit))
    out: list[Ranked] = []
    for index, entry in enumerate(eligible):
        value = round(entry.value or 0.0, 4)
        first = next(i for i, e in enumerate(eligible) if round(e.value or 0.0, 4) == value)
        tied = [e.unit for e in eligible if round(e.value or 0.0, 4) == value and e is not entry]
        place = first + 1
        before = previous.get(entry.unit)
        note = f"n={entry.sample}"
        if tied:
            note += f"; tied at {value:.2%} with {', '.join(tied)}: they share rank {place}"
        out.append(Ranked(entry.unit, entry.value, entry.sample, place,
                          None if before is None else before - place, note))
        del index
    for entry in sorted((e for e in entries if e not in eligible), key=lambda e: e.unit):
        why = ("nothing due" if entry.value is None
               else f"n={entry.sample} under the minimum of {min_sample}")
        out.append(Ranked(entry.unit, entry.value, entry.sample, None, None, f"unranked: {why}"))
    return out


@dataclass(frozen=True)
class Warning:
    grid: str
    category: str
    recent: int
    baseline: float
    ratio: float | None  # recent / baseline (None on a zero baseline under the floor)


def warnings(recent: Mapping[tuple[str, str], int],
             history: Mapping[tuple[str, str], Sequence[int]], factor: float = 3.0,
             min_count: int = 5, floor: float = 1.0) -> list[Warning]:
    """The rising clusters among (grid, category) cells; `history` holds each cell's counts
    in the windows before the recent one (missing: none)."""
    out = []
    for cell, count in recent.items():
        past = list(history.get(cell, ()))
        baseline = sum(past) / len(past) if past else 0.0
        if count >= min_count and count >= factor * max(baseline, floor):
            out.append(Warning(cell[0], cell[1], count, round(baseline, 3),
                               round(count / baseline, 3) if baseline else None))
    return sorted(out, key=lambda w: (-w.recent, w.grid, w.category))


def top_topics(counts: Mapping[str, int], n: int = 5) -> list[tuple[str, int]]:
    """The month's most reported categories (每月一题), ties by name."""
    return sorted(((k, v) for k, v in counts.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))[:n]
