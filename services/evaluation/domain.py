"""Evaluation's rules (评 · 三率), pure: no I/O, the time is in the input.

Every issue (or issue-less work order) is a *case*. Everything evaluation hears about it
(intake's and dispatch's events, a rating, a deadline passing) is an `Input`; `step`
folds one input into the case's state and says which counters move (`Delta`s) and which
events go out. The figures are the sum of every delta ever produced, bucketed per unit
per local day, so a rebuild that folds the same inputs again from empty states produces
exactly the same figures (services/evaluation/rebuild.py).

Rules of the rates (issue #11):

- 响应率 = answered within the response deadline / due. An item is *due* once it is settled:
  answered before its deadline (on time), or its deadline passed unanswered (overdue). The
  item counts in the day of its deadline. An overdue item stays overdue when it is answered
  late; `*_open_overdue` counts those still unanswered, so an on-time rate never forgets them.
- 解决率 the same with the resolution deadline and the issue's resolution.
- 满意率 = (satisfied + basically satisfied) / rated, in the day of the rating. A window that
  ends with nobody rating counts once as not rated, never as satisfied.
- A reopen (the first unsatisfied rating) starts a new round with fresh deadlines of the
  same length; the first round's figures stay as measured and `reopened` counts it.
- A merged duplicate's reporter may rate the original; the duplicate itself is not a case
  of its own any more (nothing is due on it).

Times to respond and resolve go into log-spaced histograms (`bin_of`): the median and p90
read back are the upper edge of the bin holding that rank, at most 5 % above the exact
value (and exact for anything under a minute: bin 0 is "under 60 s", reported as 60 s).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from services.common.contracts.evaluation import (
    ItemKind,
    ItemRated,
    Outcome,
    Rates,
    RatingGiven,
    RatingLapsed,
    RatingLevel,
)
from services.common.errors import Conflict, InvalidInput, NotFound

LOCAL = timezone(timedelta(hours=8))  # days are Beijing days: a 23:30 report is that day's
BIN_BASE = 60.0  # seconds: bin 0 holds everything under a minute
BIN_RATIO = 1.05  # each bin is 5 % wider than the one before
DAY = 86400.0


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, LOCAL).date().isoformat()


def bin_of(seconds: float) -> int:
    if seconds < BIN_BASE:
        return 0
    return max(1, math.ceil(math.log(seconds / BIN_BASE) / math.log(BIN_RATIO)))


def bin_upper(index: int) -> float:
    return BIN_BASE * BIN_RATIO ** index


def quantile(hist: Mapping[str, int], q: float) -> float | None:
    """The upper edge of the bin holding rank ceil(q * n) (None on an empty histogram)."""
    total = sum(hist.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for index in sorted(hist, key=int):
        seen += hist[index]
        if seen >= rank:
            return round(bin_upper(int(index)), 3)
    return None


@dataclass(frozen=True)
class Input:
    """One thing evaluation heard about a case: `kind`, when, and what it carries."""

    kind: str
    at: float
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delta:
    unit: str  # "<kind>:<id>"
    day: str  # local date
    name: str  # "c.<counter>" or "h.<histogram>.<bin>"
    amount: int = 1


@dataclass(frozen=True)
class Case:
    """What evaluation knows of one issue (or issue-less order), as plain values."""

    id: str
    community_id: str = ""
    street_id: str | None = None
    district_id: str | None = None
    grid_id: str | None = None
    category: str | None = None
    reporter_id: str | None = None
    raters: tuple[str, ...] = ()  # the reporter and merged duplicates' reporters
    merged_into: str | None = None
    has_order: bool = False
    responder_id: str | None = None
    round: int = 0  # 1 from the first order; +1 per reopen
    opened_at: float | None = None
    response_hours: float | None = None  # the round's deadline lengths
    resolution_hours: float | None = None
    response_due: float | None = None
    resolution_due: float | None = None
    response: str = "none"  # none | pending | on_time | missed | late
    resolution: str = "none"
    resolved: bool = False  # the issue is resolved (and not reopened since)
    window_due: float | None = None
    rated_by: tuple[str, ...] = ()  # this round's raters
    reopens: int = 0
    closed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Case:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for k in ("raters", "rated_by"):
            if k in known:
                known[k] = tuple(known[k] or ())
        return cls(**known)

    def next_due(self) -> float | None:
        """The earliest deadline the timer must fire for this case."""
        dues = [self.response_due if self.response == "pending" else None,
                self.resolution_due if self.resolution == "pending" else None,
                self.window_due]
        dues = [d for d in dues if d is not None]
        return min(dues) if dues else None

    def units(self, responder: bool = False) -> list[str]:
        units = [f"community:{self.community_id}"]
        units += [f"{k}:{v}" for k, v in (("grid", self.grid_id), ("street", self.street_id),
                                         ("district", self.district_id)) if v]
        if responder and self.responder_id:
            units.append(f"responder:{self.responder_id}")
        return units


def address_key(address: str | None) -> str | None:
    """The same place however it was typed (spaces and case aside), as a short hash."""
    text = "".join((address or "").split()).lower()
    return hashlib.sha1(text.encode()).hexdigest()[:12] if len(text) >= 2 else None


def department_unit(case: Case, department_id: str) -> str:
    """A department id is a name within one community (dispatch): its unit says whose."""
    return f"department:{case.community_id}.{department_id}"


@dataclass(frozen=True)
class Step:
    case: Case
    deltas: tuple[Delta, ...] = ()
    events: tuple[Any, ...] = ()


def _count(units: Iterable[str], ts: float, name: str, amount: int = 1) -> list[Delta]:
    return [Delta(u, day_of(ts), f"c.{name}", amount) for u in units]


def _hist(units: Iterable[str], ts: float, name: str, seconds: float) -> list[Delta]:
    return [Delta(u, day_of(ts), f"h.{name}.{bin_of(max(0.0, seconds))}") for u in units]


def _settle(case: Case, which: str, at: float) -> tuple[Case, list[Delta]]:
    """The item was answered (response) or resolved (resolution) at `at`."""
    state = getattr(case, which)
    due = getattr(case, f"{which}_due")
    prefix = "resp" if which == "response" else "res"
    hist = "respond" if which == "response" else "resolve"
    units = case.units(responder=True)
    deltas: list[Delta] = []
    if state == "pending":
        if at <= due:
            deltas += _count(units, due, f"{prefix}_due") + _count(units, due, f"{prefix}_on_time")
            case = replace(case, **{which: "on_time"})
        else:  # the timer has not fired yet: the deadline passed all the same
            deltas += _count(units, due, f"{prefix}_due") + _count(units, due, f"{prefix}_overdue")
            case = replace(case, **{which: "late"})
    elif state == "missed":
        deltas += _count(units, due, f"{prefix}_open_overdue", -1)
        case = replace(case, **{which: "late"})
    else:
        return case, []
    if case.opened_at is not None:
        deltas += _hist(units, at, hist, at - case.opened_at)
    return case, deltas


def _miss(case: Case, which: str) -> tuple[Case, list[Delta]]:
    due = getattr(case, f"{which}_due")
    prefix = "resp" if which == "response" else "res"
    units = case.units(responder=True)
    deltas = (_count(units, due, f"{prefix}_due") + _count(units, due, f"{prefix}_overdue")
              + _count(units, due, f"{prefix}_open_overdue"))
    return replace(case, **{which: "missed"}), deltas


def _open_round(case: Case, at: float, response_hours: float, resolution_hours: float) -> Case:
    return replace(case, round=case.round + 1, opened_at=at, response_hours=response_hours,
                   resolution_hours=resolution_hours, response_due=at + response_hours * 3600,
                   resolution_due=at + resolution_hours * 3600, response="pending",
                   resolution="pending", resolved=False, window_due=None, rated_by=())


def check_rating(case: Case, rater_id: str, at: float, on_behalf: bool) -> None:
    """Refuse a rating before any write: not resolved, window over, already rated."""
    if not case.resolved or case.window_due is None:
        raise Conflict("the issue is not awaiting a rating", {"state": "not resolved"},
                       detail={"state": "not_resolved"})
    if at > case.window_due:
        raise Conflict("the rating window has closed", {"state": "window closed"},
                       detail={"state": "window_closed"})
    if not on_behalf and rater_id not in case.raters:
        raise NotFound("no such issue", {"issue_id": "unknown"})
    if rater_id in case.rated_by:
        raise Conflict("already rated", {"state": "already rated"},
                       detail={"state": "rated"})


def step(case: Case, inp: Input) -> Step:  # noqa: C901 - one table of inputs, read top down
    """Fold one input into the case: its new state, the counters it moves, its events."""
    d, at = inp.data, inp.at
    if inp.kind == "received":
        case = replace(case, community_id=d["community_id"], street_id=d.get("street_id"),
                       district_id=d.get("district_id"), grid_id=d.get("grid_id"),
                       category=d.get("category"), reporter_id=d.get("reporter_id"),
                       raters=tuple(r for r in (d.get("reporter_id"),) if r))
        deltas = _count(case.units(), at, "received")
        if key := address_key(d.get("address")):  # the repeat-address warning's counter
            deltas.append(Delta(f"address:{case.community_id}.{key}", day_of(at), "c.received"))
        if case.category:
            deltas += [Delta(u, day_of(at), f"c.cat.{case.category}")
                       for u in case.units() if not u.startswith(("street:", "district:"))]
        return Step(case, tuple(deltas))
    if inp.kind == "placed":  # triage: the issue's street, district and grid as intake knows them
        return Step(replace(case, street_id=d.get("street_id") or case.street_id,
                            district_id=d.get("district_id") or case.district_id,
                            grid_id=d.get("grid_id") or case.grid_id))
    if inp.kind == "order":
        if case.has_order:
            return Step(case)
        base = replace(case, has_order=True, community_id=case.community_id or d["community_id"],
                       grid_id=case.grid_id or d.get("grid_id"),
                       street_id=case.street_id or d.get("street_id"),
                       district_id=case.district_id or d.get("district_id"))
        deltas = [] if case.round or base.reporter_id else _count(base.units(), at, "received")
        opened = _open_round(base, at, max(0.0, d["response_due"] - at) / 3600,
                             max(0.0, d["resolution_due"] - at) / 3600)
        return Step(opened, tuple(deltas))
    if inp.kind == "claimed":
        return Step(replace(case, responder_id=d["responder_id"]))
    if inp.kind == "acknowledged":
        case = replace(case, responder_id=d.get("responder_id") or case.responder_id)
        case, deltas = _settle(case, "response", at)
        return Step(case, tuple(deltas))
    if inp.kind == "resolved":  # the issue is resolved: the rating window opens
        case, deltas = _settle(case, "response", at)  # resolving answers it too
        case, more = _settle(case, "resolution", at)
        window = float(d.get("window_days", 7))  # 0: nobody to ask (an issue-less order)
        case = replace(case, resolved=True, rated_by=(),
                       window_due=at + window * DAY if window > 0 else None)
        return Step(case, tuple(deltas + more))
    if inp.kind == "reopened":  # dispatch reopened the order: a new round, same lengths
        if not case.has_order or case.round == 0:
            return Step(replace(case, resolved=False, window_due=None))
        return Step(_open_round(case, at, case.response_hours or 0.0,
                                case.resolution_hours or 0.0))
    if inp.kind == "closed":  # closed or rejected by intake: no more deadlines on it
        deltas = []
        for which in ("response", "resolution"):
            if getattr(case, which) == "missed":
                prefix = "resp" if which == "response" else "res"
                deltas += _count(case.units(responder=True), getattr(case, f"{which}_due"),
                                 f"{prefix}_open_overdue", -1)
        return Step(replace(case, closed=True,
                            response="none" if case.response == "pending" else case.response,
                            resolution="none" if case.resolution == "pending"
                            else case.resolution), tuple(deltas))
    if inp.kind == "add_rater":
        if d["rater_id"] in case.raters:
            return Step(case)
        return Step(replace(case, raters=(*case.raters, d["rater_id"])))
    if inp.kind == "merged":
        return Step(replace(case, merged_into=d["original_id"], closed=True,
                            response="none", resolution="none", window_due=None))
    if inp.kind == "rating":
        return _rate(case, inp)
    if inp.kind == "item_opened":  # deliberation's or volunteers' item residents may rate
        return Step(replace(case, community_id=d["community_id"],
                            street_id=d.get("street_id"), district_id=d.get("district_id"),
                            category=d["kind"], reporter_id=d.get("subject_id"),
                            raters=tuple(d.get("raters") or ()), resolved=True,
                            window_due=d["closes_at"]))
    if inp.kind == "item_rating":
        return _rate_item(case, inp)
    if inp.kind == "due":
        return _due(case, at)
    if inp.kind == "whistled":
        deltas = _count(case.units(), at, "whistles")
        deltas += _count([department_unit(case, dep) for dep in d.get("departments", [])],
                         at, "whistles")
        return Step(case, tuple(deltas))
    if inp.kind == "reported_in":
        units = [department_unit(case, d["department"])]
        deltas = _count(units, at, "report_ins") + _hist(units, at, "report_in", d["latency"])
        if d.get("late"):
            deltas += _count(units, at, "report_ins_late")
        return Step(case, tuple(deltas))
    if inp.kind == "report_in_missed":
        return Step(case, tuple(_count([department_unit(case, d["department"])], at,
                                       "report_ins_missed")))
    raise ValueError(f"unknown input {inp.kind}")


def _rate(case: Case, inp: Input) -> Step:
    d, at = inp.data, inp.at
    check_rating(case, d["rater_id"], at, bool(d.get("on_behalf")))
    level = RatingLevel(d["level"])
    first = not case.rated_by
    if not first:
        outcome = Outcome.none
    elif level is RatingLevel.unsatisfied and case.reopens == 0:
        outcome = Outcome.reopen
    else:
        outcome = Outcome.close
    units = case.units(responder=True)
    deltas = _count(units, at, "rated") + _count(units, at, level.value)
    changes: dict[str, Any] = {"rated_by": (*case.rated_by, d["rater_id"])}
    if outcome is Outcome.reopen:
        deltas += _count(units, at, "reopened")
        changes |= {"reopens": case.reopens + 1, "resolved": False, "window_due": None}
    event = RatingGiven(issue_id=case.id, community_id=case.community_id,
                        rater_id=d["rater_id"], level=level, comment=d.get("comment", ""),
                        round=case.round, outcome=outcome)
    return Step(replace(case, **changes), tuple(deltas), (event,))


def _rate_item(case: Case, inp: Input) -> Step:
    """A resident rates an item (1-5): once each, while it is open, if it names its raters
    then only they may. Its community, the item and the person rated (a volunteer's or
    operator's service) count it; `item.rated` tells the item's owner."""
    d, at = inp.data, inp.at
    rater, score = d["rater_id"], int(d["score"])
    if case.window_due is None or at > case.window_due:
        raise Conflict("the item is closed for rating", {"state": "closed"},
                       detail={"state": "closed"})
    if case.raters and rater not in case.raters:
        raise NotFound("no such item", {"item_id": "unknown"})
    if rater in case.rated_by:
        raise Conflict("already rated", {"state": "already rated"}, detail={"state": "rated"})
    if len(case.rated_by) >= d.get("max_raters", 5000):
        raise Conflict("the item has all the ratings it can hold", {"state": "full"})
    units = [f"community:{case.community_id}", f"item:{case.id.removeprefix('it-')}"]
    if case.reporter_id and case.category in ("volunteer_service", "operator_service"):
        units.append(f"{case.category.removesuffix('_service')}:{case.reporter_id}")
    deltas = (_count(units, at, "item_ratings") + _count(units, at, "item_score_sum", score)
              + _count(units, at, f"item_score_{score}"))
    item_id = case.id.removeprefix("it-")
    event = ItemRated(rating_id=f"{item_id}:{rater}", item_id=item_id,
                      kind=ItemKind(case.category), community_id=case.community_id,
                      subject_id=case.reporter_id, rater_id=rater, score=score, rated_ts=at)
    return Step(replace(case, rated_by=(*case.rated_by, rater)), tuple(deltas), (event,))


def combine_three_routes(scores: Mapping[str, float], weights: Mapping[str, float]
                         ) -> tuple[float, dict[str, float], list[str]]:
    """三评议: the weighted mean of the routes' scores; a route without a score has its
    weight spread over the others in proportion (never counted as zero)."""
    present = {r: w for r, w in weights.items() if r in scores}
    missing = sorted(r for r in weights if r not in scores)
    total = sum(present.values())
    if total <= 0:
        raise InvalidInput("no route with a score has any weight", {"scores": "no weighted route"})
    used = {r: round(w / total, 6) for r, w in present.items()}
    combined = round(sum(scores[r] * w / total for r, w in present.items()), 2)
    return combined, used, missing


def _due(case: Case, now: float) -> Step:
    """Every deadline of the case that has passed by `now` (the timer's claim time)."""
    deltas: list[Delta] = []
    events: list[Any] = []
    for which in ("response", "resolution"):
        due = getattr(case, f"{which}_due")
        if getattr(case, which) == "pending" and due is not None and due <= now:
            case, more = _miss(case, which)
            deltas += more
    if case.window_due is not None and case.window_due <= now:
        if not case.rated_by:
            deltas += _count(case.units(responder=True), case.window_due, "not_rated")
            events.append(RatingLapsed(issue_id=case.id, community_id=case.community_id,
                                       round=case.round))
        case = replace(case, window_due=None)
    return Step(case, tuple(deltas), tuple(events))


# --- reading the figures --------------------------------------------------------------------


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole > 0 else None


def rates(counters: Mapping[str, int], hists: Mapping[str, Mapping[str, int]]) -> Rates:
    """The three rates and their parts from summed counters and histograms."""
    c = {k: int(v) for k, v in counters.items()}
    g = c.get
    rated = g("satisfied", 0) + g("basically_satisfied", 0) + g("unsatisfied", 0)
    return Rates(
        response_rate=_ratio(g("resp_on_time", 0), g("resp_due", 0)),
        resolution_rate=_ratio(g("res_on_time", 0), g("res_due", 0)),
        satisfaction_rate=_ratio(g("satisfied", 0) + g("basically_satisfied", 0), rated),
        response_due=g("resp_due", 0), response_on_time=g("resp_on_time", 0),
        response_overdue=g("resp_overdue", 0), response_open_overdue=g("resp_open_overdue", 0),
        resolution_due=g("res_due", 0), resolution_on_time=g("res_on_time", 0),
        resolution_overdue=g("res_overdue", 0),
        resolution_open_overdue=g("res_open_overdue", 0),
        rated=rated, satisfied=g("satisfied", 0),
        basically_satisfied=g("basically_satisfied", 0), unsatisfied=g("unsatisfied", 0),
        not_rated=g("not_rated", 0), reopened=g("reopened", 0), received=g("received", 0),
        respond_median_s=quantile(hists.get("respond", {}), 0.5),
        respond_p90_s=quantile(hists.get("respond", {}), 0.9),
        resolve_median_s=quantile(hists.get("resolve", {}), 0.5),
        resolve_p90_s=quantile(hists.get("resolve", {}), 0.9),
        whistles=g("whistles", 0), report_ins=g("report_ins", 0),
        report_ins_late=g("report_ins_late", 0), report_ins_missed=g("report_ins_missed", 0),
        report_in_median_s=quantile(hists.get("report_in", {}), 0.5),
        report_in_p90_s=quantile(hists.get("report_in", {}), 0.9),
        item_ratings=g("item_ratings", 0),
        item_mean_score=(round(g("item_score_sum", 0) / g("item_ratings", 0), 4)
                         if g("item_ratings", 0) else None))


def add_bucket(counters: dict[str, int], hists: dict[str, dict[str, int]],
               bucket_c: Mapping[str, Any], bucket_h: Mapping[str, Mapping[str, Any]]) -> None:
    """Sum one day's bucket into running totals (in place)."""
    for k, v in (bucket_c or {}).items():
        if isinstance(v, Mapping):  # nested counters (categories) are not rates
            continue
        counters[k] = counters.get(k, 0) + int(v)
    for name, bins in (bucket_h or {}).items():
        into = hists.setdefault(name, {})
        for b, n in bins.items():
            into[b] = into.get(b, 0) + int(n)


def fold_deltas(deltas: Iterable[Delta]) -> dict[tuple[str, str], dict[str, int]]:
    """Sum deltas into {(unit, day): {name: amount}} (what the buckets hold)."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for delta in deltas:
        cell = out.setdefault((delta.unit, delta.day), {})
        cell[delta.name] = cell.get(delta.name, 0) + delta.amount
    return out


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def periods(start: date, end: date, period: str) -> list[tuple[date, date]]:
    """The day / week (Monday first) / month slices of [start, end], clipped to it."""
    out: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        if period == "day":
            last = cursor
        elif period == "week":
            last = cursor + timedelta(days=6 - cursor.weekday())
        else:
            nxt = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
            last = nxt - timedelta(days=1)
        last = min(last, end)
        out.append((cursor, last))
        cursor = last + timedelta(days=1)
    return out


def epoch(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
