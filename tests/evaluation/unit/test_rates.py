"""The rate formulas on hand-built histories: open overdue items, not rated, merged, reopened."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pytest

from services.common.contracts.evaluation import Outcome, RatingGiven, RatingLapsed
from services.common.errors import Conflict, NotFound
from services.evaluation import domain
from services.evaluation.domain import Input

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=domain.LOCAL).timestamp()  # a Monday, 09:00 Beijing
H = 3600.0
PLACE = {"community_id": "c1", "street_id": "s1", "district_id": "d1", "grid_id": "g1"}


def received(at: float = T0, reporter: str = "u1", category: str = "lights") -> Input:
    return Input("received", at, {**PLACE, "category": category, "reporter_id": reporter})


def order(at: float, response_h: float = 2, resolution_h: float = 24) -> Input:
    return Input("order", at, {**PLACE, "response_due": at + response_h * H,
                               "resolution_due": at + resolution_h * H})


def run(inputs: Iterable[Input], case_id: str = "i1",
        start: domain.Case | None = None) -> tuple[domain.Case, list, list]:
    case = start or domain.Case(id=case_id)
    deltas, events = [], []
    for inp in inputs:
        result = domain.step(case, inp)
        case = result.case
        deltas += result.deltas
        events += result.events
    return case, deltas, events


def rates_of(deltas: list, unit: str = "community:c1") -> domain.Rates:
    counters: dict[str, int] = {}
    hists: dict[str, dict[str, int]] = {}
    for (u, _day), cell in domain.fold_deltas(deltas).items():
        if u != unit:
            continue
        c = {k[2:]: v for k, v in cell.items() if k.startswith("c.")}
        h: dict[str, dict[str, int]] = {}
        for k, v in cell.items():
            if k.startswith("h."):
                _, name, b = k.split(".")
                h.setdefault(name, {})[b] = v
        domain.add_bucket(counters, hists, c, h)
    return domain.rates(counters, hists)


def test_on_time_answer_and_resolution_count_as_due_and_on_time():
    _, deltas, _ = run([received(), order(T0), Input("acknowledged", T0 + 0.5 * H,
                                                     {"responder_id": "r1"}),
                        Input("resolved", T0 + 10 * H, {"window_days": 7})])
    r = rates_of(deltas)
    assert (r.response_due, r.response_on_time, r.response_rate) == (1, 1, 1.0)
    assert (r.resolution_due, r.resolution_on_time, r.resolution_rate) == (1, 1, 1.0)
    assert r.received == 1
    # the responder is credited too; the quantiles are the bins' upper edges (≤ 5 % above)
    assert rates_of(deltas, "responder:r1").response_rate == 1.0
    assert 1800 <= r.respond_median_s <= 1800 * 1.05
    assert 36000 <= r.resolve_p90_s <= 36000 * 1.05


def test_an_item_still_open_past_its_deadline_is_overdue_now_not_when_answered():
    case, deltas, _ = run([received(), order(T0), Input("due", T0 + 3 * H)])
    r = rates_of(deltas)
    assert (r.response_due, r.response_on_time, r.response_overdue,
            r.response_open_overdue, r.response_rate) == (1, 0, 1, 1, 0.0)
    assert r.resolution_due == 0  # not due yet: neither on time nor late
    # answered late: still overdue, no longer open
    case, more, _ = run([Input("acknowledged", T0 + 5 * H, {"responder_id": "r1"})], start=case)
    r = rates_of(deltas + more)
    assert (r.response_due, r.response_overdue, r.response_open_overdue, r.response_rate) == (
        1, 1, 0, 0.0)
    # the resolution deadline passes too, while the item is open: overdue and open
    case, more2, _ = run([Input("due", T0 + 25 * H)], start=case)
    r = rates_of(deltas + more + more2)
    assert (r.resolution_due, r.resolution_overdue, r.resolution_open_overdue) == (1, 1, 1)
    assert r.resolution_rate == 0.0


def test_a_late_answer_before_the_timer_fired_is_overdue_all_the_same():
    _, deltas, _ = run([received(), order(T0), Input("acknowledged", T0 + 3 * H, {})])
    r = rates_of(deltas)
    assert (r.response_due, r.response_on_time, r.response_overdue, r.response_open_overdue) == (
        1, 0, 1, 0)


def test_no_rating_by_the_end_of_the_window_is_not_rated_never_satisfied():
    case, deltas, events = run([received(), order(T0), Input("acknowledged", T0 + H, {}),
                                Input("resolved", T0 + 5 * H, {"window_days": 7}),
                                Input("due", T0 + 5 * H + 7 * 86400 + 1)])
    r = rates_of(deltas)
    assert (r.rated, r.not_rated, r.satisfaction_rate) == (0, 1, None)
    assert [type(e) for e in events] == [RatingLapsed]
    with pytest.raises(Conflict):  # the window is over
        domain.step(case, Input("rating", T0 + 8 * 86400, {"rater_id": "u1",
                                                            "level": "satisfied"}))


def test_unsatisfied_reopens_once_then_a_second_unsatisfied_closes():
    steps = [received(), order(T0), Input("acknowledged", T0 + H, {}),
             Input("resolved", T0 + 5 * H, {"window_days": 7}),
             Input("rating", T0 + 6 * H, {"rater_id": "u1", "level": "unsatisfied"}),
             Input("reopened", T0 + 6.1 * H),
             Input("acknowledged", T0 + 6.5 * H, {}),
             Input("resolved", T0 + 8 * H, {"window_days": 7}),
             Input("rating", T0 + 9 * H, {"rater_id": "u1", "level": "unsatisfied"})]
    case, deltas, events = run(steps)
    assert [e.outcome for e in events] == [Outcome.reopen, Outcome.close]
    r = rates_of(deltas)
    assert (r.rated, r.unsatisfied, r.reopened, r.satisfaction_rate) == (2, 2, 1, 0.0)
    # each round has its own deadlines (same lengths): both rounds answered and resolved on time
    assert (r.response_due, r.response_on_time, r.resolution_due, r.resolution_on_time) == (
        2, 2, 2, 2)
    assert case.round == 2 and case.reopens == 1


def test_reopen_then_satisfied_closes_and_the_rate_counts_both_ratings():
    steps = [received(), order(T0), Input("acknowledged", T0 + H, {}),
             Input("resolved", T0 + 5 * H, {"window_days": 7}),
             Input("rating", T0 + 6 * H, {"rater_id": "u1", "level": "unsatisfied"}),
             Input("reopened", T0 + 6.1 * H),
             Input("resolved", T0 + 31 * H, {"window_days": 7}),  # late this time (due +30.1 h)
             Input("rating", T0 + 32 * H, {"rater_id": "u1", "level": "basically_satisfied"})]
    _, deltas, events = run(steps)
    assert [e.outcome for e in events] == [Outcome.reopen, Outcome.close]
    r = rates_of(deltas)
    assert (r.rated, r.satisfaction_rate) == (2, 0.5)
    assert (r.resolution_due, r.resolution_on_time, r.resolution_overdue) == (2, 1, 1)
    assert r.resolution_rate == 0.5
    # round 2's response was due at +8.1 h; resolving at +31 h answers it, late
    assert (r.response_due, r.response_on_time, r.response_overdue) == (2, 1, 1)


def test_a_merged_duplicates_reporter_may_rate_the_original_once_the_reporter_decides():
    original, _, _ = run([received(), order(T0)])
    duplicate, dup_deltas, _ = run([received(T0 + H, reporter="u2"),
                                    Input("merged", T0 + 2 * H, {"original_id": "i1"})],
                                   case_id="i2")
    assert duplicate.merged_into == "i1" and duplicate.next_due() is None
    case, deltas, events = run([Input("add_rater", T0 + 2 * H, {"rater_id": "u2"}),
                                Input("resolved", T0 + 5 * H, {"window_days": 7}),
                                Input("rating", T0 + 6 * H, {"rater_id": "u2",
                                                             "level": "satisfied"}),
                                Input("rating", T0 + 7 * H, {"rater_id": "u1",
                                                             "level": "unsatisfied"})],
                               start=original)
    assert [(e.rater_id, e.outcome) for e in events] == [("u2", Outcome.close),
                                                         ("u1", Outcome.none)]
    r = rates_of(deltas)
    assert (r.rated, r.satisfaction_rate, r.reopened) == (2, 0.5, 0)
    with pytest.raises(Conflict):  # once per round
        domain.step(case, Input("rating", T0 + 8 * H, {"rater_id": "u2", "level": "satisfied"}))
    with pytest.raises(NotFound):  # a neighbour who reported nothing
        domain.step(case, Input("rating", T0 + 8 * H, {"rater_id": "u9", "level": "satisfied"}))
    # the duplicate was received (counted once), but nothing is due on it
    assert rates_of(dup_deltas).received == 1 and rates_of(dup_deltas).response_due == 0


def test_a_rating_before_resolution_is_refused():
    case, _, _ = run([received(), order(T0)])
    with pytest.raises(Conflict):
        domain.step(case, Input("rating", T0 + H, {"rater_id": "u1", "level": "satisfied"}))


def test_closing_an_issue_with_an_open_overdue_item_takes_it_off_the_open_count():
    _, deltas, _ = run([received(), order(T0), Input("due", T0 + 3 * H),
                        Input("closed", T0 + 4 * H)])
    r = rates_of(deltas)
    assert (r.response_due, r.response_overdue, r.response_open_overdue) == (1, 1, 0)


def test_whistles_and_report_ins_count_per_department():
    _, deltas, _ = run([received(), order(T0),
                        Input("whistled", T0 + H, {"departments": ["police", "water"]}),
                        Input("reported_in", T0 + 1.5 * H, {"department": "police",
                                                            "late": False, "latency": 1800}),
                        Input("report_in_missed", T0 + 3 * H, {"department": "water"})])
    police = rates_of(deltas, "department:c1.police")  # a department is a name in its community
    water = rates_of(deltas, "department:c1.water")
    assert (police.whistles, police.report_ins, police.report_ins_late) == (1, 1, 0)
    assert 1800 <= police.report_in_median_s <= 1890
    assert (water.whistles, water.report_ins, water.report_ins_missed) == (1, 0, 1)
    assert rates_of(deltas).whistles == 1


def test_an_item_counts_in_the_day_of_its_deadline():
    late_evening = datetime(2026, 11, 2, 23, 0, tzinfo=domain.LOCAL).timestamp()
    _, deltas, _ = run([received(late_evening), order(late_evening, response_h=2),
                        Input("acknowledged", late_evening + 0.5 * H, {})])
    due_days = {d.day for d in deltas if d.name == "c.resp_due"}
    assert due_days == {"2026-11-03"}


def test_quantiles_from_a_histogram_are_the_bins_upper_edges():
    hist: dict[str, int] = {}
    for seconds in (30, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600):
        b = str(domain.bin_of(seconds))
        hist[b] = hist.get(b, 0) + 1
    median, p90 = domain.quantile(hist, 0.5), domain.quantile(hist, 0.9)
    assert 800 <= median <= 800 * 1.05
    assert 12800 <= p90 <= 12800 * 1.05
    assert domain.quantile({}, 0.5) is None


def test_periods_slice_a_range_into_weeks_and_months():
    from datetime import date
    weeks = domain.periods(date(2026, 11, 1), date(2026, 11, 16), "week")
    assert weeks[0] == (date(2026, 11, 1), date(2026, 11, 1))  # a Sunday: its week ends there
    assert weeks[1] == (date(2026, 11, 2), date(2026, 11, 8))
    assert weeks[-1] == (date(2026, 11, 16), date(2026, 11, 16))
    months = domain.periods(date(2026, 10, 20), date(2026, 12, 5), "month")
    assert [m[0].month for m in months] == [10, 11, 12]
    assert months[1] == (date(2026, 11, 1), date(2026, 11, 30))


def test_the_rating_event_carries_the_outcome_intake_follows():
    _, _, events = run([received(), order(T0), Input("resolved", T0 + H, {"window_days": 7}),
                        Input("rating", T0 + 2 * H, {"rater_id": "u1", "level": "satisfied",
                                                     "comment": "很好"})])
    (event,) = events
    assert isinstance(event, RatingGiven)
    assert (event.outcome, event.round, event.comment) == (Outcome.close, 1, "很好")


def test_one_place_typed_differently_is_one_address():
    assert domain.address_key("东湖路 12 号") == domain.address_key(" 东湖路12号") is not None
    assert domain.address_key("x") is None and domain.address_key(None) is None
