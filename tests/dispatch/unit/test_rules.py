"""Dispatch's pure rules: states, deadlines, the ladder, scope, breaches, geometry, grid rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common import geometry
from services.common.caller import Caller
from services.common.contracts.dispatch import OrderState, ReportInOut
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, Forbidden
from services.dispatch.domain import gridrows, ladder, scope, sla, states, timers

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
ORDER = scope.OrderScope(district_id="d", street_id="s", community_id="c", level="grid",
                         grid_id="g3", reached_grids=("g3",), departments=("police",))


def who(role: str, **extra) -> Caller:
    return Caller(user_id=extra.pop("user_id", "u"), role=role, district_id="d",
                  street_id="s", community_id="c", **extra)


S, A = OrderState, states.Action


@pytest.mark.parametrize(("state", "action", "after"), [
    (S.open, A.claim, S.claimed), (S.claimed, A.acknowledge, S.in_progress),
    (S.claimed, A.lapse, S.open), (S.in_progress, A.hand_back, S.open),
    (S.in_progress, A.submit_result, S.resolved), (S.open, A.submit_open, S.resolved),
    (S.resolved, A.confirm, S.confirmed), (S.resolved, A.return_result, S.in_progress),
    (S.confirmed, A.reopen, S.open), (S.in_progress, A.release, S.open)])
def test_each_action_moves_an_order_from_an_allowed_state(state, action, after):
    assert states.transition(state, action) is after


@pytest.mark.parametrize(("state", "action"), [
    (S.claimed, A.claim), (S.open, A.acknowledge), (S.confirmed, A.confirm),
    (S.open, A.confirm), (S.in_progress, A.lapse), (S.resolved, A.release)])
def test_an_action_from_the_wrong_state_is_a_conflict(state, action):
    with pytest.raises(Conflict) as err:
        states.transition(state, action)
    assert err.value.fields == {"state": state.value}


def test_deadlines_default_by_urgency_and_yield_to_community_and_explicit_hours():
    assert sla.hours_for(None, "urgent")[1] == 2
    assert sla.hours_for(None, "high")[1] == 24
    assert sla.hours_for(None, "normal")[1] == 7 * 24
    assert sla.hours_for(None, "complex")[1] == 15 * 24
    assert sla.hours_for({"normal": [12, 48]}, "normal") == (12, 48)
    assert sla.hours_for({"normal": [12, 48]}, "normal", 1, 3) == (1, 3)
    assert sla.hours_for(None, "normal", None, 0.5) == (24, 24)  # never before the response
    with pytest.raises(ValueError):
        sla.hours_for(None, "normal", 0, None)


def test_the_ladder_climbs_grid_by_grid_then_community_street_district():
    chain = ["g3", "g2", "root"]
    assert ladder.next_step("grid", "g3", chain) == ("grid", "g2")
    assert ladder.next_step("grid", "g2", chain) == ("community", "root")
    assert ladder.next_step("community", "root", chain) == ("street", "root")
    assert ladder.next_step("street", "root", chain) == ("district", "root")
    with pytest.raises(Conflict):
        ladder.next_step("district", "root", chain)
    assert ladder.above("community") == "street" and ladder.above("district") == "district"


def test_grid_workers_see_their_grid_units_what_they_are_on_members_the_pool():
    assert scope.can_see(who("grid_worker", grid_id="g3"), ORDER)
    assert not scope.can_see(who("grid_worker", grid_id="g4"), ORDER)
    assert not scope.can_see(who("grid_worker", grid_id="g2"), ORDER)  # not escalated yet
    assert scope.can_see(who("department", department_id="police"), ORDER)
    assert not scope.can_see(who("department", department_id="housing"), ORDER)
    assert not scope.can_see(who("volunteer"), ORDER)
    assert scope.can_see(who("volunteer"), scope.OrderScope(**{**ORDER.__dict__, "pool": True}))
    assert not scope.can_see(who("resident"), ORDER)
    assert not scope.can_see(Caller(user_id="x", role="community_admin", district_id="d",
                                    community_id="other"), ORDER)


def test_claims_need_the_right_role_grid_and_an_open_order():
    scope.check_may_claim(who("grid_worker", grid_id="g3"), ORDER)
    with pytest.raises(Forbidden):
        scope.check_may_claim(who("volunteer"), ORDER)  # not a pool order
    with pytest.raises(Forbidden):
        scope.check_may_claim(who("community_admin"), ORDER)
    with pytest.raises(Conflict):
        scope.check_may_claim(who("grid_worker", grid_id="g3"),
                              scope.OrderScope(**{**ORDER.__dict__, "state": "claimed"}))


def test_each_deadline_is_watched_in_its_state_and_skipped_once_handled():
    due = NOW - timedelta(minutes=1)
    report = ReportInOut(whistle_id="w1", target="department:police", level=Level.community,
                         whistled_at=NOW, due_at=NOW + timedelta(minutes=30))
    watched = timers.pending(S.open, due, NOW + timedelta(days=1), [report], [])
    assert [b.kind for b in watched] == ["response", "resolution", "report_in"]
    assert [b.kind for b in timers.due_now(watched, NOW)] == ["response"]
    assert timers.next_due(watched) == due
    done = timers.pending(S.open, due, NOW + timedelta(days=1), [report], [watched[0].key])
    assert [b.kind for b in done] == ["resolution", "report_in"]
    assert [b.kind for b in timers.pending(S.claimed, due, None, [], [])] == ["claim"]
    assert timers.pending(S.confirmed, due, due, [], []) == []
    assert timers.report_in_late(NOW, NOW + timedelta(seconds=1))
    assert not timers.report_in_late(NOW, NOW)


def test_points_fall_in_the_deepest_containing_grid_and_outside_the_boundary():
    square = [[0, 0], [10, 0], [10, 10], [0, 10]]
    assert geometry.contains(square, 5, 5) and geometry.contains(square, 0, 5)
    assert not geometry.contains(square, 11, 5)
    grids = [geometry.GridShape("a", 2, [[0, 0], [5, 0], [5, 10], [0, 10]]),
             geometry.GridShape("a1", 3, [[0, 0], [5, 0], [5, 5], [0, 5]]),
             geometry.GridShape("b", 4, None, ("阳光小区",))]
    assert geometry.locate(grids, "root", square, 2, 2, None) == ("a1", True)
    assert geometry.locate(grids, "root", square, 8, 2, None) == ("a", True)  # lat 8, lng 2
    assert geometry.locate(grids, "root", square, 2, 8, None) == ("root", True)
    assert geometry.locate(grids, "root", square, 20, 2, None) == (None, False)
    assert geometry.locate(grids, "root", None, None, None, "阳光 小区 3 号楼") == ("b", True)


def test_grid_rows_report_every_problem_with_row_and_field():
    good, errors = gridrows.parse_row(1, {"code": "W1", "name": "西一", "level": "3",
                                          "parent_code": "W", "addresses": "东湖路;西湖路"})
    assert errors == [] and good.depth == 3 and good.addresses == ["东湖路", "西湖路"]
    _, errors = gridrows.parse_row(2, {"code": "bad code!", "name": "", "level": "9",
                                       "polygon": "[[1,2]]"})
    assert [e.field for e in errors] == ["code", "name", "level", "polygon"]
    _, errors = gridrows.parse_row(3, {"code": "A", "name": "a", "level": "2", "addresses": 7})
    assert [e.field for e in errors] == ["addresses"]
    rows = [gridrows.parse_row(i, raw)[0] for i, raw in enumerate([
        {"code": "A", "name": "a", "level": "2", "parent_code": "root"},
        {"code": "B", "name": "b", "level": "building", "parent_code": "A"},
        {"code": "C", "name": "c", "level": "compound", "parent_code": "A"},
        {"code": "D", "name": "d", "level": "building", "parent_code": "C"}], start=1)]
    errors = gridrows.check_tree(rows, {"root": 1})
    assert [(e.row, e.field) for e in errors] == [(2, "parent_code")]
    assert [e.row for e in gridrows.duplicates([(1, {"code": "A"}), (2, {"code": "A"})])] == [2]
