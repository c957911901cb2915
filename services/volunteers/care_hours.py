"""Hours of care services given by volunteers (一老一小): care's `care.delivered` of a
service whose provider is a volunteer logs the hours once per booking and round
(`volunteer.hours_logged`, source kind "care": points pays its volunteer_hour rule on it)
and adds them to the volunteer's profile."""

from __future__ import annotations

from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.care import CareDelivered
from services.common.contracts.volunteers import VolunteerHoursLogged
from services.volunteers import metrics
from services.volunteers.models import CareHours
from services.volunteers.profiles import credit


def log_id(event: CareDelivered) -> str:
    return f"h-care-{event.booking_id}-{event.round}"


def logged(event: CareDelivered, caller: Caller) -> CareHours | None:
    """The hours logged now (None: logged by an earlier delivery of the event)."""
    account = event.provider_account_id or ""
    fresh = CareHours(id=log_id(event), community_id=event.community_id, account_id=account,
                      booking_id=event.booking_id, hours=event.hours,
                      logged_ts=event.delivered_ts)

    def decide(doc: CareHours, _at: object) -> Decision | None:
        if not doc._created:
            return None
        return Decision(events=[VolunteerHoursLogged(
            log_id=f"{log_id(event)}-{account}", community_id=event.community_id,
            account_id=account, hours=event.hours, source_kind="care",
            source_id=event.booking_id, logged_ts=event.delivered_ts)])

    done = change(lambda: CareHours.objects(id=fresh.id).first() or fresh, decide, caller)
    if done.decision is None:
        return None
    metrics.HOURS_LOGGED.labels("care").inc(event.hours)
    credit(account, caller, hours_total=event.hours)
    return done.doc
