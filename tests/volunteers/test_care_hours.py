"""一老一小 given by a volunteer (care's `care.delivered`): the hours are logged once per
booking and round, on the profile and as `volunteer.hours_logged` (source kind "care"),
which points pays by its volunteer_hour rule; a redelivered or repeated event adds nothing."""

from __future__ import annotations

import time
import uuid

from nameko.standalone.events import event_dispatcher

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.care import CareDelivered
from tests.dispatch.helpers import token_headers
from tests.volunteers.helpers import events, profile_body, wait_events


def _delivered(platform, provider: str, booking: str, provider_kind: str = "volunteer"):  # noqa: ANN001, ANN202
    payload = CareDelivered(
        booking_id=booking, service_id="cs-x", session_id="ss-x",
        community_id=platform.community_id("A"), kind="companionship",
        resident_account_id="u-res-x", provider_kind=provider_kind,
        provider_account_id=provider, delivered_by=provider, hours=1.5, round=1,
        delivered_ts=time.time())
    return new_event(payload, Caller.system(), payload.community_id)


def test_a_volunteers_care_hours_are_logged_and_paid_once(vplatform):
    client = vplatform.client
    provider = f"u-carer-{uuid.uuid4().hex[:6]}"
    headers = token_headers(vplatform, "volunteer", provider)
    assert client.put("/volunteers/profile", headers=headers,
                      json=profile_body()).status_code == 200
    booking = f"bk-{uuid.uuid4().hex[:12]}"
    send = event_dispatcher(vplatform.config)
    event = _delivered(vplatform, provider, booking)
    for message in (event, event, _delivered(vplatform, provider, booking)):  # a copy, a repeat
        send("care", "care.delivered", message.to_message())
    (logged,) = wait_events("volunteer.hours_logged", source_id=booking)
    assert (logged["source_kind"], logged["hours"], logged["account_id"]) == (
        "care", 1.5, provider)

    def balance() -> int:
        return client.get("/points/balance", headers=headers).json()["active"]

    assert wait_until(lambda: balance() == 15, timeout=15, every=0.2), balance()  # 10 an hour
    time.sleep(0.5)
    assert balance() == 15 and len(events("volunteer.hours_logged", source_id=booking)) == 1
    profile = client.get(f"/volunteers/{provider}", headers=headers).json()
    assert profile["hours_total"] == 1.5


def test_care_given_by_another_kind_of_provider_logs_no_volunteer_hours(vplatform):
    provider = f"u-family-{uuid.uuid4().hex[:6]}"
    booking = f"bk-{uuid.uuid4().hex[:12]}"
    event_dispatcher(vplatform.config)("care", "care.delivered", _delivered(
        vplatform, provider, booking, provider_kind="family").to_message())
    time.sleep(1.0)
    assert events("volunteer.hours_logged", source_id=booking) == []
