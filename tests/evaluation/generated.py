"""A generated month of activity: issues of 4 communities (2 streets) going through the
whole life the figures see (orders, answers on time and late, items left open past their
deadlines, whistles and report-ins, ratings of every level, reopens, merged duplicates,
windows that lapse), fed to evaluation's live path in time order with its timer run
every two simulated hours. Seeded: the same month every run."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.common.caller import Caller
from services.common.contracts.evaluation import RatingIn
from services.common.errors import Conflict
from services.evaluation import cases, policy, ratings, scheduler
from services.evaluation.domain import LOCAL, Input

H = 3600.0
DAY = 86400.0
START = datetime(2026, 11, 1, tzinfo=LOCAL).timestamp()
COMMUNITIES = {f"gc{n}": (f"gs{n % 2}", "gd0") for n in range(4)}
CATEGORIES = ("street_lighting", "garbage_collection", "noise", "water_pipe", "parking", "road")
LEVELS = ("satisfied", "basically_satisfied", "unsatisfied")


@dataclass(order=True)
class Event:
    at: float
    seq: int
    action: Callable[[], Any] = field(compare=False)


@dataclass
class Month:
    rng: random.Random
    issues_per_day: int
    queue: list[Event] = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)
    applied: int = 0
    redelivered: int = 0
    refused: int = 0
    left_pending: list[str] = field(default_factory=list)

    def at(self, when: float, action: Callable[[], Any]) -> None:
        heapq.heappush(self.queue, Event(when, next(self.counter), action))

    def feed(self, case_id: str, kind: str, when: float, data: dict | None = None) -> None:
        source = f"gen:{next(self.counter)}"

        def run() -> None:
            skip = self.rng.random() < 0.03  # a crash after the commit, before the buckets
            if skip:
                original = cases.moves.apply_pending
                cases.moves.apply_pending = lambda *a, **k: 0  # type: ignore[assignment]
            try:
                cases.apply(case_id, Input(kind, when, data or {}), source, Caller.system(),
                            create=kind in ("received", "order"))
            finally:
                if skip:
                    cases.moves.apply_pending = original  # type: ignore[assignment]
                    self.left_pending.append(case_id)
            self.applied += 1
            if self.rng.random() < 0.03:  # the broker delivers it again
                cases.apply(case_id, Input(kind, when, data or {}), source, Caller.system())
                self.redelivered += 1
        self.at(when, run)

    def rate(self, case_id: str, reporter: str, when: float, level: str,
             then: Callable[[dict], None]) -> None:
        def run() -> None:
            who = Caller(user_id=reporter, role="resident", district_id="gd0")
            try:
                out = ratings.rate(who, case_id, RatingIn(level=level), now=when)
            except Conflict:
                self.refused += 1  # window closed / already rated / not resolved any more
                return
            self.applied += 1
            then(out.model_dump())
        self.at(when, run)


def _issue(month: Month, n: int, community: str, day: int) -> None:
    rng = month.rng
    street, district = COMMUNITIES[community]
    t0 = START + day * DAY + rng.uniform(7 * H, 22 * H)
    case_id = f"gi-{community}-{n}"
    reporter = f"gu-{community}-{rng.randrange(40)}"
    grid = f"gg-{community}-{rng.randrange(3)}"
    responder = f"gr-{community}-{rng.randrange(4)}"
    category = rng.choice(CATEGORIES)
    month.feed(case_id, "received", t0, {
        "community_id": community, "street_id": street, "district_id": district,
        "grid_id": grid, "category": category, "reporter_id": reporter, "address": "x"})
    if rng.random() < 0.08 and n > 0:  # a duplicate of an earlier issue of the community
        original = f"gi-{community}-{rng.randrange(max(1, n - 20), n)}"
        month.feed(original, "add_rater", t0 + 60, {"rater_id": reporter})
        month.feed(case_id, "merged", t0 + 60, {"original_id": original})
        return
    month.feed(case_id, "placed", t0 + 30, {"street_id": street, "district_id": district,
                                            "grid_id": grid})
    _round(month, case_id, reporter, responder, t0 + 90, first=True)


def _round(month: Month, case_id: str, reporter: str, responder: str, opened: float,
           first: bool) -> None:
    rng = month.rng
    if first:
        month.feed(case_id, "order", opened, {
            "community_id": case_id.split("-")[1], "response_due": opened + 2 * H,
            "resolution_due": opened + 48 * H})
    month.feed(case_id, "claimed", opened + rng.uniform(60, 1800), {"responder_id": responder})
    answer = rng.choice([rng.uniform(300, 1.5 * H), rng.uniform(300, 1.5 * H),
                         rng.uniform(2.5 * H, 10 * H), None])
    if answer is not None:
        month.feed(case_id, "acknowledged", opened + answer, {"responder_id": responder})
    if rng.random() < 0.2:
        whistle = opened + rng.uniform(600, 3 * H)
        departments = rng.sample(["police", "water", "urban", "housing"], 2)
        month.feed(case_id, "whistled", whistle, {"departments": departments})
        for dep in departments:
            if rng.random() < 0.7:
                latency = rng.uniform(120, 5 * H)
                month.feed(case_id, "reported_in", whistle + latency,
                           {"department": dep, "late": latency > 2 * H, "latency": latency})
            else:
                month.feed(case_id, "report_in_missed", whistle + 2 * H, {"department": dep})
    resolve = rng.choice([rng.uniform(3 * H, 40 * H), rng.uniform(3 * H, 40 * H),
                          rng.uniform(50 * H, 120 * H), None])
    if resolve is None:
        return  # left open: overdue at its deadlines and still open at the month's end
    resolved = opened + resolve
    month.feed(case_id, "resolved", resolved, {"window_days": 7})
    roll = rng.random()
    if roll < 0.65:
        when = resolved + rng.uniform(600, 9 * DAY)  # some after the window: refused
        level = rng.choice(LEVELS)

        def after(out: dict) -> None:
            if out["outcome"] == "reopen":
                reopened = out["rated_at"] + 600
                month.feed(case_id, "reopened", reopened)
                _round(month, case_id, reporter, responder, reopened, first=False)
        month.rate(case_id, reporter, when, level, after)
    elif roll < 0.7:
        month.feed(case_id, "closed", resolved + rng.uniform(H, 3 * DAY))
    # otherwise nobody rates: the window lapses (not rated)


def run(seed: int = 11, issues_per_day: int = 3, days: int = 30) -> Month:
    """Generate the month and feed it; the timer fires every 2 simulated hours."""
    month = Month(random.Random(seed), issues_per_day)
    for community in COMMUNITIES:
        policy.remember(community, *COMMUNITIES[community])
    n = dict.fromkeys(COMMUNITIES, 0)
    for day in range(days):
        for community in COMMUNITIES:
            for _ in range(issues_per_day):
                _issue(month, n[community], community, day)
                n[community] += 1
    tick = START
    end = START + (days + 12) * DAY
    while month.queue or tick < end:
        nxt = month.queue[0].at if month.queue else end
        while tick <= min(nxt, end):
            scheduler.run_due(tick)
            tick += 2 * H
        if not month.queue:
            break
        heapq.heappop(month.queue).action()
    scheduler.sweep_pending()
    return month
