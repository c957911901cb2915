"""Triage (三事分流, 四类事, urgency): the category's rule, then the admin's override."""

from __future__ import annotations

import pytest

from services.common.caller import Caller, Role
from services.common.contracts.intake import Channel, TriageIn
from services.common.contracts.workflow import IssueClass, Route, Urgency
from services.common.errors import Forbidden, InvalidInput
from services.intake.catalogue import CATALOGUE
from services.intake.domain import check_channel, decide_triage, default_triage, reporter_of

BY_CODE = {c.code: c for c in CATALOGUE}

# The seeded catalogue's triage matrix: one category per route and class, and the urgent ones.
MATRIX = [
    ("street_lighting", Route.community, IssueClass.public, Urgency.normal),
    ("stairwell_lighting", Route.party_volunteer, IssueClass.public, Urgency.normal),
    ("neighbour_dispute", Route.residents, IssueClass.public, Urgency.normal),
    ("elderly_care", Route.party_volunteer, IssueClass.hardship, Urgency.normal),
    ("family_dispute", Route.residents, IssueClass.hardship, Urgency.normal),
    ("illegal_construction", Route.community, IssueClass.priority, Urgency.complex),
    ("deliberation_topic", Route.community, IssueClass.special, Urgency.complex),
    ("gas_leak", Route.community, IssueClass.priority, Urgency.urgent),
    ("lift_fault", Route.community, IssueClass.public, Urgency.high),
]


@pytest.mark.parametrize(("code", "route", "issue_class", "urgency"), MATRIX)
def test_the_category_decides_the_default_triage(code, route, issue_class, urgency):
    triage = default_triage(BY_CODE[code])
    assert (triage.route, triage.issue_class, triage.urgency, triage.source) == (
        route, issue_class, urgency, "category")


def test_the_catalogue_covers_every_route_and_class_and_has_twenty_categories():
    assert len(CATALOGUE) >= 20
    assert {c.triage.route for c in CATALOGUE} == set(Route)
    assert {c.triage.issue_class for c in CATALOGUE} == set(IssueClass)
    assert len({c.code for c in CATALOGUE}) == len(CATALOGUE)


def test_confirming_without_changes_needs_no_reason():
    proposed = default_triage(BY_CODE["street_lighting"])
    assert decide_triage(proposed, TriageIn()) == proposed


def test_an_override_needs_a_reason():
    proposed = default_triage(BY_CODE["street_lighting"])
    with pytest.raises(InvalidInput) as raised:
        decide_triage(proposed, TriageIn(route=Route.party_volunteer))
    assert "reason" in raised.value.fields


def test_an_override_with_a_reason_is_recorded_as_the_admins():
    proposed = default_triage(BY_CODE["neighbour_dispute"])
    decided = decide_triage(proposed, TriageIn(route=Route.community, urgency=Urgency.high,
                                               reason="两户已动手，需社区调解"))
    assert (decided.route, decided.issue_class, decided.urgency, decided.source) == (
        Route.community, IssueClass.public, Urgency.high, "admin")
    assert decided.reason == "两户已动手，需社区调解"


def _caller(role: Role) -> Caller:
    return Caller(user_id="u1", role=role, district_id="d", community_id="c", grid_id="g")


@pytest.mark.parametrize(("role", "channel"), [
    (Role.resident, Channel.app), (Role.resident, Channel.online_hall),
    (Role.community_admin, Channel.hotline), (Role.grid_worker, Channel.grid_patrol),
    (Role.community_admin, Channel.visit), (Role.volunteer, Channel.door_knocking)])
def test_each_channel_has_its_filers(role, channel):
    check_channel(_caller(role), channel, has_contact=True)


@pytest.mark.parametrize(("role", "channel"), [
    (Role.resident, Channel.hotline), (Role.resident, Channel.grid_patrol),
    (Role.merchant, Channel.app), (Role.volunteer, Channel.visit)])
def test_a_channel_refuses_other_roles(role, channel):
    with pytest.raises(Forbidden):
        check_channel(_caller(role), channel, has_contact=True)


def test_a_hotline_case_needs_the_callers_contact():
    with pytest.raises(InvalidInput) as raised:
        check_channel(_caller(Role.community_admin), Channel.hotline, has_contact=False)
    assert "contact" in raised.value.fields


def test_staff_entering_for_someone_else_is_not_the_reporter():
    assert reporter_of(_caller(Role.community_admin), Channel.hotline) is None
    assert reporter_of(_caller(Role.resident), Channel.app) == "u1"
    assert reporter_of(_caller(Role.grid_worker), Channel.grid_patrol) == "u1"
