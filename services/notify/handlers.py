"""Events that name who must hear, turned into inbox notifications. Each write is
idempotent by the source event: the notification's `_id` hashes the event id and the
audience, a delivery's adds the channel; the read model's writes are upserts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.care import CareVisitEscalated, CareVisitMissed
from services.common.contracts.deliberation import VoteOpened
from services.common.contracts.dispatch import (
    OrderClaimed,
    OrderCreated,
    OrderWhistled,
    ReportInMissed,
    ReportInRecorded,
)
from services.common.contracts.incubation import OrganisationGraduated, OrganisationStageReached
from services.common.contracts.intake import IssueMerged, IssueReceived, IssueStatusChanged
from services.common.contracts.notify import NotificationKind as K
from services.common.contracts.points import RedemptionConfirmed
from services.common.contracts.workflow import Level
from services.common.inbox import handles
from services.notify import domain, followers, metrics, reminders
from services.notify.posting import Spec, post

QUIET_STATES = {"received"}  # the reporter just filed it: nothing to tell


def _tell(self, envelope: Envelope, audience: str, kind: K, ref: str,
          text: tuple[str, str]) -> None:
    spec = Spec(source=envelope.id, audience=audience, kind=kind, ref=ref, title=text[0],
                body=text[1], community_id=envelope.community_id,
                occurred_ts=envelope.occurred_at.timestamp())
    post(spec, self.channels, Caller.system(request_id=envelope.correlation_id))
    metrics.NOTIFICATIONS.labels(kind.value, domain.audience_name(audience)).inc()


def _tell_ladder(self, envelope: Envelope, event: CareVisitMissed | CareVisitEscalated,
                 kind: K, text: tuple[str, str]) -> None:
    """A missed visit on its rung: the people the event names, and the staff inbox of the
    level it reached above the community (the street's, the district's)."""
    staff = domain.level_audience(event.escalated_to, event.district_id, event.street_id)
    for audience in [*map(domain.personal, event.notify), *([staff] if staff else [])]:
        _tell(self, envelope, audience, kind, f"elder:{event.elder_id}", text)


CST = timezone(timedelta(hours=8))  # what a phone in the district shows


def _due(at: datetime | float) -> str:
    ts = at if isinstance(at, datetime) else datetime.fromtimestamp(at, UTC)
    return ts.astimezone(CST).strftime("%m-%d %H:%M")


def _worth_telling(envelope: Envelope) -> bool:
    return envelope.parsed().to_state.value not in QUIET_STATES


def _assigned_by_someone_else(envelope: Envelope) -> bool:
    return envelope.parsed().responder_id != envelope.actor.user_id


class EventHandlers:
    # --- intake: the read model of who reported what, and the steps to tell them ----------
    @handles("intake", "issue.received", idempotent=True)
    def on_issue_received(self, envelope: Envelope) -> None:
        event: IssueReceived = envelope.parsed()
        followers.received(event.issue_id, event.community_id, event.reporter_id)

    @handles("intake", "issue.merged", idempotent=True)
    def on_issue_merged(self, envelope: Envelope) -> None:
        event: IssueMerged = envelope.parsed()
        followers.merged(event.issue_id, event.original_id, event.community_id)

    @handles("intake", "issue.status_changed", when=_worth_telling, idempotent=True)
    def on_issue_status_changed(self, envelope: Envelope) -> None:
        """To the reporter and the reporters of issues merged into it (the event's list and
        the read model's, each person once; not the person who took the step)."""
        event: IssueStatusChanged = envelope.parsed()
        told = sorted({*event.notify, *followers.followers(event.issue_id)})
        text = domain.issue_text(event.to_state.value, event.note)
        for user_id in told:
            if user_id != envelope.actor.user_id:
                _tell(self, envelope, domain.personal(user_id), K.issue_status,
                      f"issue:{event.issue_id}", text)

    # --- dispatch: orders, whistles, report-ins ------------------------------------------
    @handles("dispatch", "order.created", idempotent=True)
    def on_order_created(self, envelope: Envelope) -> None:
        """To its responsible unit, and to its grid's workers when it sits at a grid."""
        event: OrderCreated = envelope.parsed()
        text = domain.text(K.order_assigned, summary=event.summary)
        if event.department_id:
            _tell(self, envelope, domain.unit(event.community_id, event.department_id),
                  K.order_assigned, f"order:{event.order_id}", text)
        if event.grid_id and event.level is Level.grid:
            _tell(self, envelope, domain.grid(event.community_id, event.grid_id),
                  K.order_assigned, f"order:{event.order_id}", text)

    @handles("dispatch", "order.claimed", when=_assigned_by_someone_else, idempotent=True)
    def on_order_claimed(self, envelope: Envelope) -> None:
        """An order assigned to a person by its maker (their own 抢单 needs no telling)."""
        event: OrderClaimed = envelope.parsed()
        _tell(self, envelope, domain.personal(event.responder_id), K.order_assigned,
              f"order:{event.order_id}", domain.text(K.order_assigned, summary=""))

    @handles("dispatch", "order.whistled", idempotent=True)
    def on_order_whistled(self, envelope: Envelope) -> None:
        """吹哨: every summoned unit and member, and a reminder before their deadline."""
        event: OrderWhistled = envelope.parsed()
        due = event.report_in_due_at.timestamp()
        targets = ([f"department:{d}" for d in event.departments]
                   + [f"member:{m}" for m in event.members])
        for target in targets:
            _tell(self, envelope, domain.target_audience(event.community_id, target),
                  K.whistled, f"order:{event.order_id}",
                  domain.text(K.whistled, due=_due(event.report_in_due_at)))
            reminders.schedule(event.whistle_id, target, event.order_id, event.community_id,
                               due, self.channels.settings.notify_report_in_lead_seconds)

    @handles("dispatch", "report_in.recorded", idempotent=True)
    def on_report_in_recorded(self, envelope: Envelope) -> None:
        event: ReportInRecorded = envelope.parsed()
        reminders.reported(event.whistle_id, event.target)

    @handles("dispatch", "report_in.missed", idempotent=True)
    def on_report_in_missed(self, envelope: Envelope) -> None:
        event: ReportInMissed = envelope.parsed()
        reminders.reported(event.whistle_id, event.target)
        _tell(self, envelope, domain.target_audience(event.community_id, event.target),
              K.report_in_missed, f"order:{event.order_id}",
              domain.text(K.report_in_missed, level=event.escalated_to.value))

    # --- points and deliberation -------------------------------------------------------
    @handles("points", "redemption.confirmed", idempotent=True)
    def on_redemption_confirmed(self, envelope: Envelope) -> None:
        event: RedemptionConfirmed = envelope.parsed()
        _tell(self, envelope, domain.personal(event.resident_id), K.redemption_confirmed,
              f"redemption:{event.redemption_id}",
              domain.text(K.redemption_confirmed, price=event.price))

    @handles("deliberation", "vote.opened", idempotent=True)
    def on_vote_opened(self, envelope: Envelope) -> None:
        """One notification for the whole community (each resident's read is their own)."""
        event: VoteOpened = envelope.parsed()
        _tell(self, envelope, domain.residents(event.community_id), K.vote_opened,
              f"meeting:{event.meeting_id}",
              domain.text(K.vote_opened, due=_due(event.closes_ts), election=event.election))

    # --- care: the visit rota of elderly people living alone -----------------------------
    @handles("care", "care.visit_missed", idempotent=True)
    def on_visit_missed(self, envelope: Envelope) -> None:
        """独居老人: a missed visit, to its visitors and the community admin who registered
        the elder (ids only: the elder's details stay in care)."""
        event: CareVisitMissed = envelope.parsed()
        _tell_ladder(self, envelope, event, K.visit_missed, domain.text(
            K.visit_missed, cycle=event.cycle, due=_due(event.due_ts), level=event.escalated_to))

    @handles("care", "care.visit_escalated", idempotent=True)
    def on_visit_escalated(self, envelope: Envelope) -> None:
        """The missed visit still not made: the level it went up to (the street's or the
        district's admins) and, again, its visitors and the community admin."""
        event: CareVisitEscalated = envelope.parsed()
        _tell_ladder(self, envelope, event, K.visit_escalated, domain.text(
            K.visit_escalated, cycle=event.cycle, level=event.escalated_to,
            since=_due(event.missed_since_ts)))

    # --- incubation: an organisation's founder and members -------------------------------
    @handles("incubation", "organisation.stage_reached", idempotent=True)
    def on_stage_reached(self, envelope: Envelope) -> None:
        """孵化: the founder hears their organisation entered the next stage."""
        event: OrganisationStageReached = envelope.parsed()
        _tell(self, envelope, domain.personal(event.founder_account_id), K.organisation_stage,
              f"organisation:{event.organisation_id}",
              domain.text(K.organisation_stage, stage=event.stage))

    @handles("incubation", "organisation.graduated", idempotent=True)
    def on_graduated(self, envelope: Envelope) -> None:
        """出壳: the founder and each member hear it, once each."""
        event: OrganisationGraduated = envelope.parsed()
        people = dict.fromkeys([event.founder_account_id, *event.member_account_ids])
        for account_id in people:
            _tell(self, envelope, domain.personal(account_id), K.organisation_graduated,
                  f"organisation:{event.organisation_id}",
                  domain.text(K.organisation_graduated))
