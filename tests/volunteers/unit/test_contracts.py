"""The volunteers events carry exactly the fields points and evaluation code against."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.caller import Caller
from services.common.contracts.envelope import Envelope, new_event
from services.common.contracts.volunteers import (
    ActivityCheckedIn,
    VolunteerHoursLogged,
    WishFulfilled,
)

HOURS = {"log_id": "h-wish-w1-a1", "community_id": "c1", "account_id": "a1", "hours": 1.5,
         "source_kind": "wish", "source_id": "w1", "logged_ts": 1_780_000_000.0}


def test_hours_logged_round_trips_through_an_envelope():
    env = new_event(VolunteerHoursLogged(**HOURS), Caller.system(), "c1")
    again = Envelope.model_validate(env.to_message())
    assert again.type == "volunteer.hours_logged"
    assert again.parsed().model_dump() == HOURS


@pytest.mark.parametrize("hours", [0, -1, float("nan"), float("inf")])
def test_hours_must_be_a_positive_finite_number(hours):
    with pytest.raises(ValidationError):
        VolunteerHoursLogged(**{**HOURS, "hours": hours})


def test_source_kind_is_one_of_activity_wish_order():
    with pytest.raises(ValidationError):
        VolunteerHoursLogged(**{**HOURS, "source_kind": "bribe"})


def test_wish_fulfilled_and_checked_in_field_names():
    assert set(WishFulfilled.model_fields) == {
        "wish_id", "community_id", "resident_account_id", "volunteer_account_id",
        "fulfilled_ts"}
    assert set(ActivityCheckedIn.model_fields) == {
        "activity_id", "community_id", "account_id", "checked_in_ts", "organisation_id"}
    # additive for incubation: optional, so an event without it still parses
    assert ActivityCheckedIn.model_fields["organisation_id"].is_required() is False
