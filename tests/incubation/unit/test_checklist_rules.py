"""The pure rules of the incubation checklist: steps in order, requirements checked from
recorded facts, stages entered and graduation, members, projects and activities counted
once (no I/O: plain objects, the default process as data)."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest

from services.common.contracts.incubation import (
    OrganisationGraduated,
    OrganisationStageReached,
    OrganisationStepCompleted,
    ProcessIn,
)
from services.common.errors import Conflict, InvalidInput, NotFound
from services.incubation import domain
from services.incubation.process import DEFAULT_STAGES, GRADUATED, RECRUIT_MIN, steps_of

NOW = 1_800_000_000.0


def org(**fields: Any) -> SimpleNamespace:
    base = {"id": "org-1", "community_id": "c-1", "kind": "volunteer", "name": "邻里互助队",
            "purpose": "帮独居老人买菜", "founder_account_id": "u-f",
            "process": copy.deepcopy(DEFAULT_STAGES), "done": [], "stage": "sprout",
            "step": "initiate", "members": [{"account_id": "u-f", "name": "发起人",
                                             "phone": None, "role": "founder",
                                             "joined_ts": NOW}],
            "resources": [], "project_ids": [], "evidence": {}, "signoffs": {},
            "activities_held": 0, "held_activity_ids": [], "created_ts": NOW,
            "graduated_ts": None}
    return SimpleNamespace(**base | fields)


def put(o: SimpleNamespace, decision: Any) -> SimpleNamespace:
    for name, value in (decision.changes if decision else {}).items():
        setattr(o, name, value)
    domain.derive(o)
    return o


def test_the_default_process_is_four_stages_and_nine_steps():
    steps = steps_of(DEFAULT_STAGES)
    assert len(DEFAULT_STAGES) == 4 and len(steps) == 9
    assert [s["name"] for s in DEFAULT_STAGES] == ["萌芽", "培育", "成长", "自治"]
    ProcessIn.model_validate({"stages": DEFAULT_STAGES})  # the default is a valid process


def test_a_step_out_of_order_is_refused_naming_the_steps_before_it():
    with pytest.raises(Conflict) as refused:
        domain.complete(org(), "training", "u-admin", NOW)
    assert refused.value.fields["step"] == "training"
    assert "initiate" in refused.value.fields["missing"]
    assert "recruit" in refused.value.fields["missing"]


def test_a_step_whose_requirement_is_unmet_names_what_is_missing():
    o = put(org(), domain.complete(org(), "initiate", "u-admin", NOW))
    with pytest.raises(Conflict) as refused:
        domain.complete(o, "recruit", "u-admin", NOW)
    assert refused.value.fields == {"step": "recruit",
                                    "missing": f"members: 1 of {RECRUIT_MIN}"}
    assert domain.lacks(o) == [f"members: 1 of {RECRUIT_MIN}"]


def test_a_step_done_already_is_nothing_to_do():
    o = put(org(), domain.complete(org(), "initiate", "u-admin", NOW))
    assert domain.complete(o, "initiate", "u-admin", NOW) is None


def test_an_unknown_step_is_not_found():
    with pytest.raises(NotFound) as refused:
        domain.complete(org(), "flying", "u-admin", NOW)
    assert refused.value.fields == {"step": "unknown"}


def walk(o: SimpleNamespace) -> list[Any]:
    """Every step with its facts recorded in turn; the events of each completion."""
    events: list[Any] = []

    def done(step: str) -> None:
        made = domain.complete(o, step, "u-admin", NOW)
        events.extend(made.events)
        put(o, made)

    done("initiate")
    for n in range(RECRUIT_MIN - 1):
        put(o, domain.add_member(o, f"u-m{n}", f"成员{n}", None, NOW))
    done("recruit")
    put(o, domain.submit_evidence(o, "training", "消防培训 2 小时", "u-f", NOW))
    done("training")
    for act in ("act-1", "act-1", "act-2"):  # act-1 redelivered: counted once
        put(o, domain.activity_held(o, act, "c-1"))
    done("trial")
    put(o, domain.submit_evidence(o, "charter", "第一条 本队宗旨……", "u-f", NOW))
    done("charter")
    put(o, domain.sign_off(o, "registration", "街道已备案", "u-admin", NOW))
    done("registration")
    put(o, domain.add_resource(o, "res-1", {"kind": "space", "title": "活动室", "detail": "",
                                            "state": "assigned"}, NOW))
    put(o, domain.link_project(o, SimpleNamespace(id="pj-1", community_id="c-1")))
    done("operate")
    for step in ("evaluation", "graduation"):
        put(o, domain.sign_off(o, step, "", "u-admin", NOW))
        done(step)
    return events


def test_an_organisation_walks_all_four_stages_to_graduation():
    o = org()
    events = walk(o)
    assert o.stage == GRADUATED and o.step is None and o.graduated_ts == NOW
    assert o.activities_held == 2
    completed = [e.step for e in events if isinstance(e, OrganisationStepCompleted)]
    assert completed == [s.key for s in steps_of(DEFAULT_STAGES)]
    reached = [e.stage for e in events if isinstance(e, OrganisationStageReached)]
    assert reached == ["nurture", "growth", "autonomy"]
    graduated = [e for e in events if isinstance(e, OrganisationGraduated)]
    assert len(graduated) == 1 and set(graduated[0].member_account_ids) == {"u-f", "u-m0",
                                                                           "u-m1"}


def test_evidence_only_for_a_step_that_takes_it_and_signoff_only_where_needed():
    with pytest.raises(InvalidInput) as refused:
        domain.submit_evidence(org(), "recruit", "x", "u-f", NOW)
    assert refused.value.fields == {"step": "recruit takes none"}
    with pytest.raises(InvalidInput):
        domain.sign_off(org(), "training", "", "u-admin", NOW)


def test_a_project_of_another_community_is_not_linked():
    with pytest.raises(NotFound) as refused:
        domain.link_project(org(), SimpleNamespace(id="pj-9", community_id="c-2"))
    assert refused.value.fields == {"project_id": "unknown"}
    with pytest.raises(NotFound):
        domain.link_project(org(), None)  # not heard of (yet)


def test_an_activity_of_another_community_is_not_counted():
    assert domain.activity_held(org(), "act-1", "c-2") is None


def test_the_founder_stays_and_a_member_joins_once():
    o = org()
    assert domain.add_member(o, "u-f", "x", None, NOW) is None
    with pytest.raises(Conflict):
        domain.remove_member(o, "u-f")
    put(o, domain.add_member(o, "u-2", "二", "+86 138 0000 0000", NOW))
    assert len(o.members) == 2
    put(o, domain.remove_member(o, "u-2"))
    assert [m["account_id"] for m in o.members] == ["u-f"]


def test_a_configured_process_keeps_its_own_order():
    stages = [{"key": "start", "name": "开始", "steps": [
        {"key": "one", "name": "一", "requires": [{"kind": "members", "min": 2}]}]}]
    o = org(process=stages)
    domain.derive(o)
    assert (o.stage, o.step) == ("start", "one")
    put(o, domain.add_member(o, "u-2", "二", None, NOW))
    made = domain.complete(o, "one", "u-admin", NOW)
    assert any(isinstance(e, OrganisationGraduated) for e in made.events)


def test_a_process_with_a_repeated_step_key_is_refused():
    step = {"key": "one", "name": "一", "requires": []}
    with pytest.raises(ValueError, match="own key"):
        ProcessIn.model_validate({"stages": [{"key": "a", "name": "A", "steps": [step]},
                                             {"key": "b", "name": "B", "steps": [step]}]})


def test_a_completion_changes_only_fields_the_organisation_has():
    from services.incubation.models import Organisation

    o = put(org(), domain.complete(org(), "initiate", "u-admin", NOW))
    o = put(o, domain.add_member(o, "u-2", "二", None, NOW))
    o = put(o, domain.add_member(o, "u-3", "三", None, NOW))
    ending = domain.complete(o, "recruit", "u-admin", NOW)  # the last step of a stage
    assert set(ending.changes) == {"done", "stage"}
    assert set(ending.changes) <= set(Organisation._fields)
