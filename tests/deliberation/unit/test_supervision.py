"""督 by hand: tasks done one by one, the last executes the decision; overdue once."""

from __future__ import annotations

from types import SimpleNamespace

from services.deliberation.domain import meetings as rules
from services.deliberation.supervision import task_of


def decided(tasks: int = 2, deadline: float = 1000.0) -> SimpleNamespace:
    return SimpleNamespace(id="m-1", decision_id="d-m-1", community_id="c1", street_id="s1",
                           district_id="d1", topic_id="t-1", overdue=False, escalated_ts=None,
                           district_escalated_ts=None,
                           state="approved", tasks_total=tasks, tasks_done=[],
                           supervise_ts=deadline, executed_ts=None,
                           plan={"deadline_ts": deadline, "tasks": [{}] * tasks})


def apply(doc: SimpleNamespace, decision) -> SimpleNamespace:  # noqa: ANN001
    for name, value in decision.changes.items():
        setattr(doc, name, value)
    return doc


def test_the_last_confirmed_order_executes_the_decision_on_time_or_late():
    doc = decided()
    first = rules.task_done(doc, 2, 900.0)
    assert first.changes == {"tasks_done": [2]} and not first.events
    apply(doc, first)
    assert rules.task_done(doc, 2, 950.0) is None  # the same order confirmed again
    assert rules.task_done(doc, 3, 950.0) is None  # not a task of this plan
    last = rules.task_done(doc, 1, 990.0)
    (executed,) = last.events
    assert executed.on_time and last.changes["supervise_ts"] is None
    late = decided(tasks=1)
    assert not rules.task_done(late, 1, 1000.5).events[0].on_time


def test_an_open_decision_past_its_deadline_is_overdue_once():
    doc = decided(deadline=1000.0)
    assert rules.overdue(doc, 999.0) is None
    step = rules.overdue(doc, 1000.0)
    (event,) = step.events
    assert (event.tasks_done, event.tasks_total, event.street_id) == (0, 2, "s1")
    apply(doc, step)
    assert doc.overdue and rules.overdue(doc, 2000.0) is None


def test_an_overdue_decision_escalates_to_its_street_once_after_the_grace():
    doc = decided(deadline=1000.0)
    apply(doc, rules.due(doc, 1000.0))  # overdue; the timer comes back after the grace
    grace = 1000.0 + rules.ESCALATE_AFTER_SECONDS
    assert doc.overdue and doc.supervise_ts == grace and rules.due(doc, grace - 1) is None
    step = rules.due(doc, grace)
    (event,) = step.events
    assert (event.street_id, event.district_id, event.escalated_ts) == ("s1", "d1", grace)
    apply(doc, step)
    assert doc.escalation_key.startswith("s:d1:s1|") and event.level == "street"
    assert doc.supervise_ts == 1000.0 + 2 * rules.ESCALATE_AFTER_SECONDS  # then the district
    assert rules.due(doc, grace + 10) is None  # once
    done = decided(deadline=1000.0)
    apply(done, rules.due(done, 1000.0))
    for n in (1, 2):  # executed during the grace: nothing goes up
        apply(done, rules.task_done(done, n, 1500.0))
    assert done.supervise_ts is None and rules.due(done, grace) is None


def test_still_open_a_grace_after_the_street_the_decision_goes_up_to_the_district_once():
    doc = decided(deadline=1000.0)
    grace = rules.ESCALATE_AFTER_SECONDS
    for at in (1000.0, 1000.0 + grace):  # overdue, then the street
        apply(doc, rules.due(doc, at))
    assert rules.due(doc, 1000.0 + 2 * grace - 1) is None
    step = rules.due(doc, 1000.0 + 2 * grace)
    (event,) = step.events
    assert (event.level, event.district_id, event.escalated_ts) == (
        "district", "d1", 1000.0 + 2 * grace)
    apply(doc, step)
    assert doc.district_escalation_key.startswith("d:d1|") and doc.supervise_ts is None
    assert rules.due(doc, 1000.0 + 3 * grace) is None  # once
    done = decided(deadline=1000.0)
    for at in (1000.0, 1000.0 + grace):
        apply(done, rules.due(done, at))
    for n in (1, 2):  # executed while the street had it: nothing goes further up
        apply(done, rules.task_done(done, n, 1000.0 + grace + 5))
    assert done.supervise_ts is None and rules.due(done, 1000.0 + 2 * grace) is None


def test_only_a_decisions_order_ids_name_a_task():
    assert task_of("o-d-m-abc123-2") == ("m-abc123", 2)
    assert task_of("o-i-123") is None and task_of("o-d-m-abc-x") is None
