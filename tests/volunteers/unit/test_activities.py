"""Capacity, the waitlist promoted in order, door codes counted once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.common.errors import Conflict, NotFound
from services.volunteers.domain import activities as rules


def activity(capacity: int = 2) -> SimpleNamespace:
    return SimpleNamespace(id="act1", community_id="c1", state="open", capacity=capacity,
                           participants=[], waitlist=[], joined=0, hours=2.0)


def apply(act: SimpleNamespace, decision) -> SimpleNamespace:  # noqa: ANN001
    for name, value in (decision.changes if decision else {}).items():
        setattr(act, name, value)
    return act


def test_capacity_two_three_sign_ups_one_waitlisted_promoted_in_order_on_cancel():
    act = activity(2)
    for who in ("a", "b", "c", "d"):
        apply(act, rules.sign_up(act, who, 1.0, f"code-{who}-0000"))
    assert [p["account_id"] for p in act.participants] == ["a", "b"]
    assert [w["account_id"] for w in act.waitlist] == ["c", "d"]
    assert rules.sign_up(act, "a", 2.0, "x" * 12) is None  # signed up already
    apply(act, rules.cancel(act, "b", "code-c-promo"))
    assert [p["account_id"] for p in act.participants] == ["a", "c"]
    assert act.participants[1]["code"] == "code-c-promo"
    assert [w["account_id"] for w in act.waitlist] == ["d"]
    apply(act, rules.cancel(act, "d", "unused-code"))
    assert act.waitlist == [] and len(act.participants) == 2


def test_a_code_used_twice_checks_in_once_and_logs_hours_once():
    act = activity()
    apply(act, rules.sign_up(act, "a", 1.0, "door-code-a1"))
    first, seat = rules.check_in(act, "door-code-a1", 10.0)
    apply(act, first)
    assert [e.event_type for e in first.events] == ["activity.checked_in"]
    again, seat = rules.check_in(act, "door-code-a1", 11.0)
    assert again is None and seat["checked_in_ts"] == 10.0
    out, _ = rules.check_out(act, "door-code-a1", 20.0)
    apply(act, out)
    (logged,) = out.events
    assert (logged.log_id, logged.hours, logged.source_kind) == ("h-activity-act1-a", 2.0,
                                                                 "activity")
    assert rules.check_out(act, "door-code-a1", 21.0)[0] is None


def test_unknown_codes_and_leaving_after_check_in_are_refused():
    act = activity()
    apply(act, rules.sign_up(act, "a", 1.0, "door-code-a1"))
    with pytest.raises(NotFound):
        rules.check_in(act, "not-a-code", 1.0)
    with pytest.raises(Conflict):
        rules.check_out(act, "door-code-a1", 1.0)
    apply(act, rules.check_in(act, "door-code-a1", 2.0)[0])
    with pytest.raises(Conflict):
        rules.cancel(act, "a", "whatever-code")
    with pytest.raises(NotFound):
        rules.cancel(act, "z", "whatever-code")

