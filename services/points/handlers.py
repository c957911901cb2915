"""Events points consumes: new communities get their rules and pool; contributions earn.

Every payment goes through `earning.earn`, keyed by the rule and the source event, so a
redelivered event (or the same contribution reported twice) pays once.
"""

from __future__ import annotations

from services.common.caller import MEMBER_ROLES
from services.common.contracts import Envelope
from services.common.contracts.care import CareDelivered, ProviderKind
from services.common.contracts.deliberation import MeetingAttended, VoteCast
from services.common.contracts.dispatch import OrderConfirmed, OrderResolved
from services.common.contracts.identity import CommunityCreated, UserCreated
from services.common.contracts.incubation import OrganisationGraduated, OrganisationStageReached
from services.common.contracts.intake import IssueState, IssueStatusChanged
from services.common.contracts.points import EarnKind
from services.common.contracts.volunteers import (
    ActivityCheckedIn,
    VolunteerHoursLogged,
    WishFulfilled,
)
from services.common.inbox import handles
from services.points import care_charges, earning, residents
from services.points.models import CommunityScope, OrderCredit

MEMBERS = frozenset(r.value for r in MEMBER_ROLES)


def pay_order(order_id: str, at: float) -> int:
    """Pay the member who resolved a confirmed order (党员抢单), once both events are in."""
    row = OrderCredit._get_collection().find_one({"_id": order_id})
    if not row or not row.get("confirmed") or not row.get("responder_id"):
        return 0
    if row.get("role") not in MEMBERS:
        return 0
    return earning.earn(row["community_id"], row["responder_id"],
                        EarnKind.order_resolved_by_member, f"order:{order_id}", now=at)


def _priced(envelope: Envelope) -> bool:
    """A care booking whose service costs points (free ones move nothing)."""
    return envelope.parsed().price_points > 0


def _to_a_person(envelope: Envelope) -> bool:
    """A care service given by a provider with an account who is not a volunteer (a family,
    an organisation's or a merchant's account): a volunteer's hours are logged by the
    volunteers service and paid by the volunteer_hour rule."""
    event = envelope.parsed()
    return bool(event.provider_account_id) and event.provider_kind is not ProviderKind.volunteer


def _resolved(envelope: Envelope) -> bool:
    """Only a resolution pays: the issue's other steps are not points' business."""
    return envelope.parsed().to_state is IssueState.resolved


class EventHandlers:
    @handles("identity", "community.created")
    def on_community_created(self, envelope: Envelope) -> None:
        """A community: its scope for the checks, the default rules, the pool and the sink."""
        event: CommunityCreated = envelope.parsed()
        CommunityScope._get_collection().update_one({"_id": event.community_id}, {"$set": {
            "street_id": event.street_id, "district_id": event.district_id}}, upsert=True)
        earning.ensure_defaults(event.community_id)

    @handles("identity", "user.created")
    def on_user_created(self, envelope: Envelope) -> None:
        """An account of a community: awards may name it (residents.py)."""
        created: UserCreated = envelope.parsed()
        if created.community_id:
            residents.ACCOUNTS.apply(created.community_id, created.user_id, 1,
                                     removed=residents.not_earner(created.role))

    @handles("intake", "issue.status_changed", when=_resolved)
    def on_issue_status_changed(self, envelope: Envelope) -> None:
        """An issue resolved (not rejected): its reporters earn, once per issue."""
        event: IssueStatusChanged = envelope.parsed()
        for user_id in event.notify:
            earning.earn(event.community_id, user_id, EarnKind.issue_verified,
                         f"issue:{event.issue_id}", now=envelope.occurred_at.timestamp())

    @handles("dispatch", "order.resolved")
    def on_order_resolved(self, envelope: Envelope) -> None:
        event: OrderResolved = envelope.parsed()
        OrderCredit._get_collection().update_one({"_id": event.order_id}, {"$set": {
            "community_id": event.community_id, "responder_id": event.responder_id,
            "role": envelope.actor.role.value}}, upsert=True)
        pay_order(event.order_id, envelope.occurred_at.timestamp())

    @handles("dispatch", "order.confirmed")
    def on_order_confirmed(self, envelope: Envelope) -> None:
        event: OrderConfirmed = envelope.parsed()
        OrderCredit._get_collection().update_one({"_id": event.order_id}, {"$set": {
            "community_id": event.community_id, "confirmed": True}}, upsert=True)
        pay_order(event.order_id, envelope.occurred_at.timestamp())

    @handles("volunteers", "volunteer.hours_logged")
    def on_hours_logged(self, envelope: Envelope) -> None:
        """Volunteer hours (志愿时长): the rule's points per hour, once per log."""
        event: VolunteerHoursLogged = envelope.parsed()
        earning.earn(event.community_id, event.account_id, EarnKind.volunteer_hour,
                     f"hours:{event.log_id}", units=event.hours, now=event.logged_ts)

    @handles("volunteers", "wish.fulfilled")
    def on_wish_fulfilled(self, envelope: Envelope) -> None:
        """A micro-wish (微心愿) fulfilled: its volunteer earns, once per wish."""
        event: WishFulfilled = envelope.parsed()
        earning.earn(event.community_id, event.volunteer_account_id, EarnKind.wish_fulfilled,
                     f"wish:{event.wish_id}", now=event.fulfilled_ts)

    @handles("volunteers", "activity.checked_in")
    def on_activity_checked_in(self, envelope: Envelope) -> None:
        """An activity attended: the participant earns, once per activity."""
        event: ActivityCheckedIn = envelope.parsed()
        earning.earn(event.community_id, event.account_id, EarnKind.activity_attended,
                     f"activity:{event.activity_id}", now=event.checked_in_ts)

    @handles("deliberation", "meeting.attended")
    def on_meeting_attended(self, envelope: Envelope) -> None:
        """A deliberation meeting attended (议事): the participant earns, once per meeting."""
        event: MeetingAttended = envelope.parsed()
        earning.earn(event.community_id, event.account_id, EarnKind.meeting_attended,
                     f"meeting:{event.meeting_id}", now=event.attended_ts)

    @handles("deliberation", "vote.cast")
    def on_vote_cast(self, envelope: Envelope) -> None:
        """A vote cast (决议): the voter earns, once per vote (the event has no choice)."""
        event: VoteCast = envelope.parsed()
        earning.earn(event.community_id, event.account_id, EarnKind.vote_cast,
                     f"vote:{event.meeting_id}", now=event.cast_ts)

    @handles("care", "care.booked", when=_priced)
    def on_care_booked(self, envelope: Envelope) -> None:
        """一老一小 priced in points: the price locked from the booker, or refused."""
        care_charges.lock(envelope.parsed())

    @handles("care", "care.booking_cancelled", when=_priced)
    def on_care_booking_cancelled(self, envelope: Envelope) -> None:
        """A cancelled round's locked price goes back (none locked: a tombstone)."""
        care_charges.give_back(envelope.parsed())

    @handles("care", "care.delivered", when=_priced)
    def on_care_delivered_spend(self, envelope: Envelope) -> None:
        """Delivered: the locked price is spent (to the community's pool)."""
        care_charges.spend(envelope.parsed())

    @handles("care", "care.delivered", when=_to_a_person)
    def on_care_delivered(self, envelope: Envelope) -> None:
        """一老一小: the provider's account earns the rule's points, once per booking and
        round."""
        event: CareDelivered = envelope.parsed()
        earning.earn(event.community_id, event.provider_account_id, EarnKind.care_delivered,
                     f"care:{event.booking_id}:{event.round}", now=event.delivered_ts)

    @handles("incubation", "organisation.stage_reached")
    def on_organisation_stage(self, envelope: Envelope) -> None:
        """孵化: the founder earns for each stage their organisation reaches, once each."""
        event: OrganisationStageReached = envelope.parsed()
        earning.earn(event.community_id, event.founder_account_id, EarnKind.organisation_stage,
                     f"org:{event.organisation_id}:{event.stage}", now=event.reached_ts)

    @handles("incubation", "organisation.graduated")
    def on_organisation_graduated(self, envelope: Envelope) -> None:
        """出壳: the founder earns once for the organisation."""
        event: OrganisationGraduated = envelope.parsed()
        earning.earn(event.community_id, event.founder_account_id,
                     EarnKind.organisation_graduated, f"org:{event.organisation_id}",
                     now=event.graduated_ts)
