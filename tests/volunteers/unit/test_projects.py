"""Projects: published before work counts; the last milestone completes it, once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.common.errors import Conflict, NotFound
from services.volunteers.domain import projects


def project() -> SimpleNamespace:
    return SimpleNamespace(id="pj1", community_id="c1", need_id="n1", owner_unit_id="property-co",
                           title="加装电梯", state="planned", participants=["u1"],
                           milestones=[{"title": "征询意见", "due_ts": 10.0},
                                       {"title": "施工", "due_ts": 20.0}])


def apply(p: SimpleNamespace, decision) -> SimpleNamespace:  # noqa: ANN001
    for name, value in (decision.changes if decision else {}).items():
        setattr(p, name, value)
    return p


def test_milestones_in_any_order_and_the_last_completes_the_project_once():
    p = project()
    with pytest.raises(Conflict):
        projects.complete_milestone(p, 0, 1.0)
    apply(p, projects.publish(p, 1.0))
    assert p.state == "published" and projects.publish(p, 2.0) is None
    first = projects.complete_milestone(p, 1, 5.0)
    apply(p, first)
    assert first.events == () and p.state == "published"
    assert projects.complete_milestone(p, 1, 6.0) is None
    last = projects.complete_milestone(p, 0, 7.0)
    apply(p, last)
    (done,) = last.events
    assert p.state == "completed" and (done.project_id, done.completed_ts) == ("pj1", 7.0)
    assert done.participant_account_ids == ["u1"]
    with pytest.raises(NotFound):
        projects.complete_milestone(p, 5, 8.0)
