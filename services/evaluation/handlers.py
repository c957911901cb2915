"""Events evaluation consumes: intake's issues and dispatch's orders become case inputs.

Each handler turns its event into one `domain.Input` (at the event's `occurred_at`, with
whatever the fold needs copied into it, e.g. the community's rating window, so a replay of
the log needs nothing else) and applies it to its case (`cases.apply`), keyed by the
event id. Evaluation owns none of these records: it keeps the facts the figures need.

The busiest of them (an issue's and its order's) skip the inbox (`idempotent=True`): the
case keeps the sources it applied and applies each once, which the rebuild test's
redeliveries prove on the figures.
"""

from __future__ import annotations

import logging

from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.dispatch import (
    OrderCreated,
    OrderRef,
    OrderWhistled,
    ReportInMissed,
    ReportInRecorded,
)
from services.common.contracts.evaluation import EvaluationItemOpened
from services.common.contracts.identity import CommunityCreated
from services.common.contracts.intake import (
    IssueMerged,
    IssueReceived,
    IssueState,
    IssueStatusChanged,
    IssueTriaged,
)
from services.common.inbox import handles
from services.evaluation import cases, policy
from services.evaluation.domain import Input, epoch

log = logging.getLogger(__name__)


def _at(envelope: Envelope) -> float:
    return epoch(envelope.occurred_at)


def _apply(case_id: str, kind: str, envelope: Envelope, data: dict | None = None,
           create: bool = False) -> None:
    cases.apply(case_id, Input(kind, _at(envelope), data or {}), f"evt:{envelope.id}",
                Caller.system(request_id=envelope.correlation_id), create=create)


def _case_of(order: OrderRef) -> str:
    return order.issue_id or order.order_id


FOLDED_STATES = frozenset({IssueState.resolved, IssueState.closed, IssueState.rejected})


def _ends_or_resolves(envelope: Envelope) -> bool:
    """The other steps of an issue reach the figures through dispatch's order events."""
    return envelope.parsed().to_state in FOLDED_STATES


class EventHandlers:
    @handles("identity", "community.created")
    def on_community_created(self, envelope: Envelope) -> None:
        created: CommunityCreated = envelope.parsed()
        policy.remember(created.community_id, created.street_id, created.district_id)

    @handles("intake", "issue.received", idempotent=True)
    def on_issue_received(self, envelope: Envelope) -> None:
        received: IssueReceived = envelope.parsed()
        where = policy.tenancy(received.community_id)
        _apply(received.issue_id, "received", envelope, {
            "community_id": received.community_id, "grid_id": received.grid_id,
            "category": received.category, "reporter_id": received.reporter_id,
            "address": received.location.address, **where}, create=True)

    @handles("intake", "issue.triaged", idempotent=True)
    def on_issue_triaged(self, envelope: Envelope) -> None:
        triaged: IssueTriaged = envelope.parsed()
        policy.remember(triaged.community_id, triaged.street_id, triaged.district_id)
        _apply(triaged.issue_id, "placed", envelope, {
            "street_id": triaged.street_id, "district_id": triaged.district_id,
            "grid_id": triaged.grid_id})

    @handles("intake", "issue.merged")
    def on_issue_merged(self, envelope: Envelope) -> None:
        """The duplicate's reporter may rate the original; the duplicate is no case now."""
        merged: IssueMerged = envelope.parsed()
        duplicate = cases.state_of(merged.issue_id)
        if duplicate is not None and duplicate.reporter_id:
            _apply(merged.original_id, "add_rater", envelope,
                   {"rater_id": duplicate.reporter_id})
        _apply(merged.issue_id, "merged", envelope, {"original_id": merged.original_id})

    @handles("intake", "issue.status_changed", when=_ends_or_resolves, idempotent=True)
    def on_issue_status_changed(self, envelope: Envelope) -> None:
        changed: IssueStatusChanged = envelope.parsed()
        if changed.to_state is IssueState.resolved:
            _apply(changed.issue_id, "resolved", envelope,
                   {"window_days": policy.window_days(changed.community_id)})
        elif changed.to_state in (IssueState.closed, IssueState.rejected):
            _apply(changed.issue_id, "closed", envelope)

    @handles("dispatch", "order.created", idempotent=True)
    def on_order_created(self, envelope: Envelope) -> None:
        order: OrderCreated = envelope.parsed()
        _apply(_case_of(order), "order", envelope, {
            "community_id": order.community_id, "grid_id": order.grid_id,
            "response_due": epoch(order.response_due_at),
            "resolution_due": epoch(order.resolution_due_at),
            **policy.tenancy(order.community_id)}, create=True)

    @handles("dispatch", "order.claimed")
    def on_order_claimed(self, envelope: Envelope) -> None:
        order = envelope.parsed()
        _apply(_case_of(order), "claimed", envelope, {"responder_id": order.responder_id})

    @handles("dispatch", "order.acknowledged")
    def on_order_acknowledged(self, envelope: Envelope) -> None:
        order = envelope.parsed()
        _apply(_case_of(order), "acknowledged", envelope, {"responder_id": order.responder_id})

    @handles("dispatch", "order.confirmed")
    def on_order_confirmed(self, envelope: Envelope) -> None:
        """An issue's resolution is intake's `resolved`; an issue-less order's is this."""
        order: OrderRef = envelope.parsed()
        if order.issue_id is None:
            _apply(order.order_id, "resolved", envelope, {"window_days": 0})

    @handles("dispatch", "order.reopened")
    def on_order_reopened(self, envelope: Envelope) -> None:
        _apply(_case_of(envelope.parsed()), "reopened", envelope)

    @handles("dispatch", "order.whistled")
    def on_order_whistled(self, envelope: Envelope) -> None:
        whistled: OrderWhistled = envelope.parsed()
        _apply(_case_of(whistled), "whistled", envelope,
               {"departments": list(whistled.departments)})

    @handles("dispatch", "report_in.recorded")
    def on_report_in_recorded(self, envelope: Envelope) -> None:
        recorded: ReportInRecorded = envelope.parsed()
        kind, _, who = recorded.target.partition(":")
        if kind == "department" and who:
            _apply(_case_of(recorded), "reported_in", envelope, {
                "department": who, "late": recorded.late,
                "latency": max(0.0, recorded.latency_seconds)})

    @handles("dispatch", "report_in.missed")
    def on_report_in_missed(self, envelope: Envelope) -> None:
        missed: ReportInMissed = envelope.parsed()
        kind, _, who = missed.target.partition(":")
        if kind == "department" and who:
            _apply(_case_of(missed), "report_in_missed", envelope, {"department": who})

    # Items other services send for residents to rate (the contract is evaluation's).
    @handles("deliberation", "evaluation_item.opened")
    def on_deliberation_item(self, envelope: Envelope) -> None:
        _open_item(envelope)

    @handles("volunteers", "evaluation_item.opened")
    def on_volunteers_item(self, envelope: Envelope) -> None:
        _open_item(envelope)

    @handles("mediation", "evaluation_item.opened")
    def on_mediation_item(self, envelope: Envelope) -> None:
        """A mediation case ended: its parties rate it (only they are its raters)."""
        _open_item(envelope)


def _open_item(envelope: Envelope) -> None:
    item: EvaluationItemOpened = envelope.parsed()
    _apply(f"it-{item.item_id}", "item_opened", envelope, {
        "kind": item.kind.value, "community_id": item.community_id, "title": item.title,
        "subject_id": item.subject_id, "raters": list(item.raters),
        "closes_at": epoch(item.closes_at), **policy.tenancy(item.community_id)}, create=True)
