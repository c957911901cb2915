"""Events dispatch consumes: triaged issues become orders, reopened issues reopen them, a
volunteer's accepted match (小事党群办) takes its order."""

from __future__ import annotations

import contextlib
import logging

from mongoengine.errors import NotUniqueError
from pydantic import ValidationError

from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.deliberation import DecisionApproved
from services.common.contracts.dispatch import OrderIn

# Importing the producers' contracts registers their event types: without it the
# inbox drops their envelopes as unknown.
from services.common.contracts.identity import CommunityCreated
from services.common.contracts.intake import (
    CategoryChanged,
    CategoryRemoved,
    IssueMerged,
    IssueReopened,
    IssueTriaged,
)
from services.common.contracts.volunteers import MatchAccepted
from services.common.contracts.workflow import Route
from services.common.errors import DomainError
from services.common.inbox import handles
from services.common.store import StaleWrite
from services.dispatch import catalogue, commit, grids, making
from services.dispatch.domain import results, volunteering
from services.dispatch.models import Order

log = logging.getLogger(__name__)


def _hours(value: float | None) -> float | None:
    """Intake's category hours if sensible; otherwise the community's policy decides."""
    return value if value is not None and 0 < value <= 24 * 366 else None


def _an_order(envelope: Envelope) -> bool:
    """Only a match of an order is dispatch's business (wishes, workshops are volunteers')."""
    return envelope.parsed().need_kind == "order"


class EventHandlers:
    @handles("identity", "community.created")
    def on_community_created(self, envelope: Envelope) -> None:
        """A new community gets its root grid and the default deadlines."""
        event: CommunityCreated = envelope.parsed()
        grids.ensure_community(event.community_id, event.district_id, event.street_id)

    @handles("intake", "category.changed")
    def on_category_changed(self, envelope: Envelope) -> None:
        """Keep dispatch's copy of the catalogue entry (orders by hand are checked on it)."""
        changed: CategoryChanged = envelope.parsed()
        catalogue.CATEGORIES.apply(changed.community_id, changed.code, changed.version,
                                   changed.removed, changed.name)

    @handles("intake", "category.removed")
    def on_category_removed(self, envelope: Envelope) -> None:
        removed: CategoryRemoved = envelope.parsed()
        catalogue.CATEGORIES.apply(removed.community_id, removed.code, removed.version,
                                   removed=True)

    @handles("intake", "issue.triaged", idempotent=True)  # the order's id is the issue's
    def on_issue_triaged(self, envelope: Envelope) -> None:
        """大事社区办 → an order at its grid or the community; 小事党群办 → the member pool.

        O(1) and idempotent: the order's id is the issue's, so a redelivery finds it by `_id`
        (and a concurrent one loses the insert)."""
        event: IssueTriaged = envelope.parsed()
        if event.route is Route.residents:
            return
        if Order.objects(id=f"o-{event.issue_id}").only("id").first() is not None:
            return  # redelivered: the order from this issue exists
        policy = grids.ensure_community(event.community_id, event.district_id, event.street_id)
        system = Caller.system(event.district_id, envelope.correlation_id)
        try:
            spec = OrderIn(community_id=policy.id, category=event.category[:40] or "other",
                           urgency=event.urgency, summary=event.summary[:500] or event.category,
                           route=event.route, response_hours=_hours(event.response_hours),
                           resolution_hours=_hours(event.resolution_hours))
            outcome = making.decide(system, policy, spec, commit.now(), issue_id=event.issue_id,
                                    grid_id=event.grid_id, strict=False)
        except (ValidationError, DomainError) as exc:  # a retry would fail the same way
            log.error("no order for issue %s: %s", event.issue_id, exc)
            return
        with contextlib.suppress(NotUniqueError):  # a concurrent redelivery made it first
            making.commit_new(system, outcome)

    @handles("intake", "issue.reopened")
    def on_issue_reopened(self, envelope: Envelope) -> None:
        """An unsatisfied rating reopens the issue's order, history kept, with fresh deadlines."""
        event: IssueReopened = envelope.parsed()
        order_id = f"o-{event.issue_id}"
        doc = Order.objects(id=order_id).first()
        if doc is None:
            return  # no order was made for this issue
        system = Caller.system(doc.district_id, envelope.correlation_id)
        commit.change(system, lambda: Order.objects.get(id=order_id),
                      lambda o, at: results.reopen(o, system, at, event.reason))

    @handles("intake", "issue.merged")
    def on_issue_merged(self, envelope: Envelope) -> None:
        """A duplicate merged into another issue: its order (if one was made) is folded, so
        nobody works it twice and its deadlines stop; a redelivery finds it merged."""
        event: IssueMerged = envelope.parsed()
        order_id = f"o-{event.issue_id}"
        doc = Order.objects(id=order_id).only("id", "district_id").first()
        if doc is None:
            return  # never triaged into an order
        system = Caller.system(doc.district_id, envelope.correlation_id)
        commit.change(system, lambda: Order.objects.get(id=order_id),
                      lambda o, at: results.fold(o, system, at, event.original_id))

    @handles("volunteers", "match.accepted", when=_an_order)
    def on_match_accepted(self, envelope: Envelope) -> None:
        """The volunteer who accepted an order's match is assigned it: a conditional
        transition through the commit frame (open → claimed), so a member's claim from the
        pool and this never both land; a redelivery finds them holding it and does nothing."""
        accepted: MatchAccepted = envelope.parsed()
        doc = Order.objects(id=accepted.need_id).only("id", "community_id", "district_id").first()
        if doc is None or doc.community_id != accepted.community_id:
            log.error("match %s names order %s of no such community", accepted.match_id,
                      accepted.need_id)
            return
        system = Caller.system(doc.district_id, envelope.correlation_id)
        volunteer = accepted.volunteer_account_id
        commit.take_claim_slot(volunteer, making.ASSIGNED_CAP)  # as the maker's assignment
        try:
            _, outcome = commit.change(system, lambda: Order.objects.get(id=doc.id),
                                       lambda o, at: volunteering.assign_matched(
                                           o, volunteer, system, at))
        except Exception:
            commit.release_claim_slot(volunteer)
            raise
        if outcome is None:  # theirs already, or taken meanwhile: no slot of this delivery
            commit.release_claim_slot(volunteer)
            log.info("match %s accepted by %s: order %s not open to them", accepted.match_id,
                     volunteer, doc.id)

    @handles("deliberation", "decision.approved")
    def on_decision_approved(self, envelope: Envelope) -> None:
        """办: one order per task of an approved deliberation decision, at the community.

        Idempotent per task: the order's id is `o-<decision>-<n>`, so a redelivery finds
        it by `_id` (and a concurrent one loses the insert)."""
        event: DecisionApproved = envelope.parsed()
        policy = grids.ensure_community(event.community_id, event.district_id, event.street_id)
        system = Caller.system(event.district_id, envelope.correlation_id)
        hours = _hours((event.deadline_ts - envelope.occurred_at.timestamp()) / 3600)
        for task in event.tasks:
            order_id = f"o-{event.decision_id}-{task.n}"
            if Order.objects(id=order_id).only("id").first() is not None:
                continue
            try:
                spec = OrderIn(community_id=policy.id, category=task.category,
                               summary=task.summary, leader=event.leader[:80] or None,
                               department_id=event.department_id,
                               cooperating=event.cooperating[:20], resolution_hours=hours,
                               source="deliberation", source_ref=event.decision_id)
                outcome = making.decide(system, policy, spec, commit.now(), strict=False,
                                        order_id=order_id)
            except (ValidationError, DomainError) as exc:  # a retry would fail the same way
                log.error("no order for decision %s task %s: %s", event.decision_id, task.n,
                          exc)
                continue
            # A concurrent delivery made it first (the store's unique key, or the commit
            # frame's "created by someone else").
            with contextlib.suppress(NotUniqueError, StaleWrite):
                making.commit_new(system, outcome)
