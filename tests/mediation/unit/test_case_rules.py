"""The case state machine (domain.py) on cases in memory: no broker, no store."""

from __future__ import annotations

import pytest

from services.common.aggregate import Decision
from services.common.contracts.mediation import CaseIn, MeetingIn
from services.common.errors import Conflict, InvalidInput, NotFound
from services.mediation import domain
from services.mediation.models import MediationCase

NOW = 1_800_000_000.0


def a_case(**extra) -> MediationCase:
    parties = [{"party_id": "p1", "name": "甲", "account_id": "u1", "consent": None,
                "signed": False},
               {"party_id": "p2", "name": "乙", "account_id": "u2", "consent": None,
                "signed": False}]
    fields = dict(id="md-1", district_id="d", street_id="s", community_id="c", kind="neighbour",
                  source="walk_in", opened_by="admin", parties=parties, state="open",
                  created_ts=NOW - 86400, version=1) | extra
    return MediationCase(**fields)


def step(case: MediationCase, decision: Decision | None) -> MediationCase:
    assert decision is not None
    for name, value in decision.changes.items():
        setattr(case, name, value)
    domain.derive(case)
    return case


def mediating() -> MediationCase:
    case = step(a_case(), domain.mediator_accepted(a_case(), "m-1", "med"))
    case = step(case, domain.consent(case, "p1", True, NOW))
    return step(case, domain.consent(case, "p2", True, NOW))


def agreed(follow_up: float = NOW + 3600) -> MediationCase:
    case = mediating()
    case = step(case, domain.schedule(case, "mt1", None, NOW - 7200, NOW - 3600, ""))
    case = step(case, domain.record(case, "mt1", "双方陈述", ["p1", "p2"], NOW))
    case = step(case, domain.propose(case, "甲方修好漏水，乙方撤回投诉", follow_up, NOW))
    case = step(case, domain.sign(case, "p1", NOW))
    return step(case, domain.sign(case, "p2", NOW))


def test_a_case_is_mediating_only_with_a_mediator_and_every_consent():
    case = a_case()
    case = step(case, domain.consent(case, "p1", True, NOW))
    case = step(case, domain.consent(case, "p2", True, NOW))
    assert case.state == "open"  # no mediator yet
    case = step(case, domain.mediator_accepted(case, "m-1", "med"))
    assert case.state == "mediating" and case.mediator_id == "med"
    case = step(case, domain.consent(case, "p2", False, NOW))
    assert case.state == "open"  # a party withdrew: no meetings


def test_no_meeting_without_the_consent_of_both_sides():
    case = step(a_case(), domain.mediator_accepted(a_case(), "m-1", "med"))
    case = step(case, domain.consent(case, "p1", True, NOW))
    case = step(case, domain.consent(case, "p2", False, NOW))
    with pytest.raises(Conflict) as refused:
        domain.schedule(case, "mt1", "h-1", NOW, NOW + 3600, "")
    assert refused.value.status == 409 and refused.value.fields == {
        "consent": "every party must consent"}


def test_no_meeting_without_a_mediator():
    case = a_case()
    case = step(case, domain.consent(case, "p1", True, NOW))
    case = step(case, domain.consent(case, "p2", True, NOW))
    with pytest.raises(Conflict) as refused:
        domain.schedule(case, "mt1", None, NOW, NOW + 3600, "")
    assert refused.value.fields == {"mediator_id": "no mediator yet"}


def test_the_first_accepted_mediator_stays_and_a_redelivery_changes_nothing():
    case = step(a_case(), domain.mediator_accepted(a_case(), "m-1", "med"))
    assert domain.mediator_accepted(case, "m-2", "other") is None
    assert domain.consent(mediating(), "p1", True, NOW) is None  # already given


def test_a_meeting_in_a_hall_is_pending_until_booked_and_unplaced_if_refused():
    case = mediating()
    case = step(case, domain.schedule(case, "mt1", "h-1", NOW, NOW + 3600, "调解工作室"))
    assert case.meetings[0]["placement"] == "pending"
    case = step(case, domain.placed(case, "mt1", False, "the hall is booked"))
    assert case.meetings[0]["placement"] == "unplaced"
    assert case.meetings[0]["booking_error"] == "the hall is booked"
    assert domain.placed(case, "mt1", True, None) is None  # answered once
    case = step(case, domain.schedule(case, "mt2", None, NOW, NOW + 3600, ""))
    assert case.meetings[1]["placement"] == "unplaced"


def test_no_agreement_before_a_meeting_is_held():
    case = mediating()
    case = step(case, domain.schedule(case, "mt1", None, NOW + 60, NOW + 3600, ""))
    with pytest.raises(Conflict) as refused:
        domain.propose(case, "协议", NOW + 86400, NOW)
    assert refused.value.fields == {"meetings": "none held"}
    with pytest.raises(Conflict) as early:
        domain.record(case, "mt1", "记录", ["p1"], NOW)
    assert early.value.fields == {"meeting_id": "in the future"}
    with pytest.raises(NotFound):
        domain.record(case, "mt9", "记录", [], NOW + 120)
    with pytest.raises(InvalidInput) as unknown:
        domain.record(case, "mt1", "记录", ["p7"], NOW + 120)
    assert unknown.value.fields == {"attended": "unknown party"}


def test_the_last_signature_makes_the_agreement_its_deadline_and_the_rating_item():
    case = agreed()
    assert case.state == "agreed" and case.outcome == "agreement"
    assert case.next_due_ts == NOW + 3600  # the follow-up, a durable deadline
    last = domain.sign(a_case(state="agreement_pending", follow_up_ts=NOW + 10,
                              mediator_id="med", parties=[
                                  {"party_id": "p1", "account_id": "u1", "signed": True},
                                  {"party_id": "p2", "account_id": "u2", "signed": False}]),
                       "p2", NOW)
    kinds = [type(e).__name__ for e in last.events]
    assert kinds == ["CaseAgreed", "EvaluationItemOpened"]
    item = last.events[1]
    assert item.raters == ["u1", "u2"] and item.subject_id == "med"
    assert item.kind.value == "mediation"


def test_a_new_draft_asks_for_every_signature_again():
    case = mediating()
    case = step(case, domain.schedule(case, "mt1", None, NOW - 60, NOW, ""))
    case = step(case, domain.record(case, "mt1", "记录", [], NOW))
    case = step(case, domain.propose(case, "草案一", NOW + 10, NOW))
    case = step(case, domain.sign(case, "p1", NOW))
    case = step(case, domain.propose(case, "草案二", NOW + 10, NOW))
    assert [p["signed"] for p in case.parties] == [False, False]
    with pytest.raises(InvalidInput) as past:
        domain.propose(case, "草案三", NOW - 1, NOW)
    assert past.value.fields == {"follow_up_ts": "in the past"}


def test_the_follow_up_fires_once_when_due():
    case = agreed(follow_up=NOW + 100)
    assert domain.follow_up_fires(case, NOW + 99) is None
    fired = domain.follow_up_fires(case, NOW + 100)
    assert [type(e).__name__ for e in fired.events] == ["CaseFollowUpDue"]
    case = step(case, fired)
    assert case.state == "follow_up_due" and case.next_due_ts is None
    assert domain.follow_up_fires(case, NOW + 200) is None
    case = step(case, domain.follow_up(case, True, "已修好", NOW + 300))
    assert case.state == "closed" and case.follow_up_kept is True
    assert case.tally()["c:c"]["follow_ups_kept"] == 1


def test_the_follow_up_is_recorded_only_once_due():
    with pytest.raises(Conflict) as refused:
        domain.follow_up(agreed(), True, "", NOW)
    assert refused.value.fields == {"state": "agreed"}


def test_referral_and_closing_end_an_active_case_only():
    referred = step(mediating(), domain.refer(mediating(), "court", "", NOW))
    assert referred.state == "referred" and referred.outcome == "referral"
    with pytest.raises(Conflict):
        domain.close(referred, "", NOW)
    closed = domain.close(a_case(), "双方不愿调解", NOW)
    assert closed.changes["outcome"] == "no_agreement"
    # no mediator, nobody to rate: no rating item
    assert [type(e).__name__ for e in closed.events] == ["CaseClosed"]


def test_a_mediator_is_asked_for_by_a_new_request_each_time():
    first = domain.request_mediator(a_case())
    assert first.events[0].request_id == "md-1-1" and first.events[0].skill == "mediation"
    again = domain.request_mediator(a_case(requests=1))
    assert again.events[0].request_id == "md-1-2"
    with pytest.raises(Conflict) as refused:
        domain.request_mediator(a_case(mediator_id="med"))
    assert refused.value.fields == {"mediator_id": "assigned"}


def test_ratings_fold_once_each():
    case = step(a_case(), domain.rated(a_case(), "med-md-1:u1", 5))
    assert domain.rated(case, "med-md-1:u1", 5) is None
    assert case.rating_total == 5


def test_the_counters_count_kind_outcome_and_time_to_agreement():
    mine = agreed().tally()["c:c"]
    assert mine["kind_neighbour"] == 1 and mine["outcome_agreement"] == 1
    assert mine["agreement_seconds"] == 86400
    assert set(agreed().tally()) == {"c:c", "s:s", "d:d"}


def test_bad_input_names_its_field():
    with pytest.raises(ValueError, match="parties"):
        CaseIn(kind="neighbour", summary="漏水", parties=[{"name": "甲"}])
    with pytest.raises(ValueError, match="source"):
        CaseIn(kind="neighbour", source="issue", summary="漏水",
               parties=[{"name": "甲"}, {"name": "乙"}])
    with pytest.raises(ValueError, match="ends_ts"):
        MeetingIn(starts_ts=NOW, ends_ts=NOW - 1)
