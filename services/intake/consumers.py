"""Events intake consumes: new communities (catalogue) and work orders (the lifecycle)."""

from __future__ import annotations

from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.dispatch import (
    GridChanged,
    GridRemoved,
    OrderConfirmed,
    OrderEscalated,
    OrderRef,
    OrderReturned,
    OrderReturnedToPool,
)
from services.common.contracts.evaluation import Outcome, RatingGiven, RatingLapsed
from services.common.contracts.identity import CommunityCreated, UserCreated
from services.common.contracts.intake import IssueReopened
from services.common.inbox import handles
from services.intake import grids, repository
from services.intake.account_names import ACCOUNTS
from services.intake.domain import Action
from services.intake.lifecycle import add_note, advance_from_event
from services.intake.models import Issue


def _order(envelope: Envelope, action: Action, note: str) -> None:
    order: OrderRef = envelope.parsed()
    advance_from_event(order.issue_id, order.community_id, action, _actor(envelope),
                       f"{note} (order {order.order_id})", envelope.id)


def _note(envelope: Envelope, note: str) -> None:
    """A step of the order that does not move the issue: a timeline line only."""
    order: OrderRef = envelope.parsed()
    issue = Issue.objects(id=order.issue_id).first() if order.issue_id else None
    if issue is not None and issue.community_id == order.community_id:
        add_note(issue.id, _actor(envelope), f"{note} (order {order.order_id})",
                 f"{issue.id}:evt:{envelope.id}")


def _actor(envelope: Envelope) -> Caller:
    return Caller(user_id=envelope.actor.user_id, role=envelope.actor.role, district_id="*")


class IntakeConsumers:
    """Mixed into IntakeService (nameko collects entrypoints from base classes too)."""

    @handles("identity", "community.created")
    def on_community_created(self, envelope: Envelope) -> None:
        """Remember the new tenant and give it the starting catalogue."""
        created: CommunityCreated = envelope.parsed()
        repository.seed_catalogue(created.community_id)
        repository.remember_community(created.community_id, created.name, created.street_id,
                                      created.district_id)

    @handles("identity", "user.created")
    def on_user_created(self, envelope: Envelope) -> None:
        """Keep the account's name: 公示 removes it from published text."""
        created: UserCreated = envelope.parsed()
        if created.community_id and created.display_name:
            ACCOUNTS.apply(created.community_id, created.user_id, 1, name=created.display_name)

    @handles("dispatch", "grid.changed")
    def on_grid_changed(self, envelope: Envelope) -> None:
        """Keep intake's copy of the grid (issues are placed from it)."""
        changed: GridChanged = envelope.parsed()
        grids.apply_state(changed)

    @handles("dispatch", "grid.removed")
    def on_grid_removed(self, envelope: Envelope) -> None:
        removed: GridRemoved = envelope.parsed()
        grids.apply_removal(removed)

    @handles("dispatch", "order.created")
    def on_order_created(self, envelope: Envelope) -> None:
        _order(envelope, Action.dispatch, "work order made")

    @handles("dispatch", "order.claimed")
    def on_order_claimed(self, envelope: Envelope) -> None:
        _order(envelope, Action.start, "claimed")

    @handles("dispatch", "order.acknowledged")
    def on_order_acknowledged(self, envelope: Envelope) -> None:
        _order(envelope, Action.start, "responder answered")

    @handles("dispatch", "order.confirmed")
    def on_order_confirmed(self, envelope: Envelope) -> None:
        confirmed: OrderConfirmed = envelope.parsed()
        _order(envelope, Action.resolve, f"resolved: {confirmed.result}")

    @handles("dispatch", "order.resolved")
    def on_order_resolved(self, envelope: Envelope) -> None:
        _note(envelope, "result submitted, awaiting the community's check")

    @handles("dispatch", "order.returned")
    def on_order_returned(self, envelope: Envelope) -> None:
        returned: OrderReturned = envelope.parsed()
        _note(envelope, f"returned for more work: {returned.reason}")

    @handles("dispatch", "order.escalated")
    def on_order_escalated(self, envelope: Envelope) -> None:
        escalated: OrderEscalated = envelope.parsed()
        _note(envelope, f"escalated to {escalated.level.value}: {escalated.reason}")

    @handles("dispatch", "order.returned_to_pool")
    def on_order_returned_to_pool(self, envelope: Envelope) -> None:
        lapsed: OrderReturnedToPool = envelope.parsed()
        _note(envelope, f"back in the pool: {lapsed.reason}")

    @handles("dispatch", "order.reopened")
    def on_order_reopened(self, envelope: Envelope) -> None:
        _note(envelope, "work order reopened")

    # Ratings are evaluation's (one owner): intake follows the outcome it publishes.
    @handles("evaluation", "rating.given")
    def on_rating_given(self, envelope: Envelope) -> None:
        """Satisfied closes the issue; the first unsatisfied reopens it (dispatch follows
        `issue.reopened`); a later rating of the same round is a timeline line only."""
        rating: RatingGiven = envelope.parsed()
        actor = _actor(envelope)
        said = f"{rating.level.value}{f': {rating.comment}' if rating.comment else ''}"
        if rating.outcome is Outcome.reopen:
            def reopened(issue: Issue) -> tuple[dict, list]:
                return {}, [IssueReopened(issue_id=issue.id, community_id=issue.community_id,
                                          reason=rating.comment or "not satisfied")]

            advance_from_event(rating.issue_id, rating.community_id, Action.reopen, actor,
                               f"rated {said}: reopened", envelope.id, extra=reopened)
        elif rating.outcome is Outcome.close:
            advance_from_event(rating.issue_id, rating.community_id, Action.rate, actor,
                               f"rated {said}", envelope.id)
            advance_from_event(rating.issue_id, rating.community_id, Action.close, actor,
                               "closed after its rating", f"{envelope.id}:close")
        else:
            issue = Issue.objects(id=rating.issue_id).first()
            if issue is not None and issue.community_id == rating.community_id:
                add_note(issue.id, actor, f"also rated {said}", f"{issue.id}:evt:{envelope.id}")

    @handles("evaluation", "rating.lapsed")
    def on_rating_lapsed(self, envelope: Envelope) -> None:
        """Nobody rated within the window: closed as not rated (never as satisfied)."""
        lapsed: RatingLapsed = envelope.parsed()
        advance_from_event(lapsed.issue_id, lapsed.community_id, Action.close, _actor(envelope),
                           "closed: not rated within the window", envelope.id)
