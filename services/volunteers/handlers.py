"""Events the volunteers service consumes: dispatch's grid changes (the nearness tree) and
orders (小事党群办: matched to volunteers), mediation's requests for a mediator
(`mediations.py`), intake's triaged issues (the problem list), evaluation's ratings of
volunteers' and operators' services (the profile's rating)."""

from __future__ import annotations

from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.care import CareDelivered, ProviderKind
from services.common.contracts.deliberation import DecisionApproved
from services.common.contracts.dispatch import (
    GridChanged,
    GridRemoved,
    OrderClaimed,
    OrderConfirmed,
    OrderCreated,
    OrderResolved,
    OrderReturnedToPool,
    OrderSkillSet,
)
from services.common.contracts.evaluation import ItemRated
from services.common.contracts.intake import IssueTriaged
from services.common.contracts.mediation import CaseClosed, MediatorRequested
from services.common.contracts.workflow import IssueClass
from services.common.inbox import handles
from services.volunteers import (
    care_hours,
    grids,
    lists,
    matching,
    mediations,
    orders,
    profiles,
    renewal,
)


def _public(envelope: Envelope) -> bool:
    """Only public issues go on the problem list."""
    return envelope.parsed().issue_class is IssueClass.public


def _for_volunteers(envelope: Envelope) -> bool:
    """Only small-matters orders and those asking for a skill are matched."""
    created: OrderCreated = envelope.parsed()
    return orders.served_by_volunteers(created.route, created.skill)


def _a_persons_service(envelope: Envelope) -> bool:
    """Only ratings of a volunteer's or operator's service fold into a profile."""
    rated: ItemRated = envelope.parsed()
    return rated.kind in profiles.RATED_KINDS and bool(rated.subject_id)


def _mediated(envelope: Envelope) -> bool:
    """Only cases a matched mediator held count in a load."""
    return bool(envelope.parsed().match_id)


def _by_a_volunteer(envelope: Envelope) -> bool:
    """Only care given by a volunteer's account logs volunteer hours."""
    event: CareDelivered = envelope.parsed()
    return event.provider_kind is ProviderKind.volunteer and bool(event.provider_account_id)


def _a_renewal(envelope: Envelope) -> bool:
    """Only an approved renewal topic (微更新) becomes a project here (dispatch makes the
    work orders of every decision)."""
    return renewal.is_renewal(envelope.parsed())


class EventHandlers:
    @handles("dispatch", "grid.changed")
    def on_grid_changed(self, envelope: Envelope) -> None:
        """Keep the grid (idempotent by version); this replica's index takes it at once."""
        changed: GridChanged = envelope.parsed()
        view = grids.apply_state(changed)
        if view is not None:
            self.matching.put_grid(view)

    @handles("dispatch", "grid.removed")
    def on_grid_removed(self, envelope: Envelope) -> None:
        removed: GridRemoved = envelope.parsed()
        view = grids.apply_removal(removed)
        if view is not None:
            self.matching.put_grid(view)

    @handles("intake", "issue.triaged", when=_public)
    def on_issue_triaged(self, envelope: Envelope) -> None:
        """A public issue goes on its community's problem list (问题清单), once."""
        triaged: IssueTriaged = envelope.parsed()
        lists.problem_from_issue(triaged, Caller.system(triaged.district_id,
                                                        envelope.correlation_id))

    @handles("dispatch", "order.created", when=_for_volunteers)
    def on_order_created(self, envelope: Envelope) -> None:
        """A small-matters order, or one asking for a skill: its match, offered in turn."""
        created: OrderCreated = envelope.parsed()
        orders.on_created(self.matching, created,
                          Caller.system(created.district_id or "*", envelope.correlation_id))

    @handles("dispatch", "order.skill_set")
    def on_order_skill_set(self, envelope: Envelope) -> None:
        """The order asks for another skill: a fresh offer sequence for it."""
        event: OrderSkillSet = envelope.parsed()
        orders.on_skill_set(self.matching, event, envelope.id, envelope.occurred_at.timestamp(),
                            Caller.system(event.district_id or "*", envelope.correlation_id))

    @handles("dispatch", "order.returned_to_pool")
    def on_order_returned(self, envelope: Envelope) -> None:
        """Handed back, or its 响应 lapsed: offered afresh, never again to who gave it back."""
        event: OrderReturnedToPool = envelope.parsed()
        orders.rematch(self.matching, event.order_id, envelope.id,
                       envelope.occurred_at.timestamp(),
                       Caller.system(request_id=envelope.correlation_id),
                       exclude=event.responder_id)

    @handles("evaluation", "item.rated", when=_a_persons_service)
    def on_item_rated(self, envelope: Envelope) -> None:
        """A volunteer's or operator's service rated: their rating (and the index) follow."""
        rated: ItemRated = envelope.parsed()
        folded = profiles.fold_rating(rated, Caller.system(request_id=envelope.correlation_id))
        if folded is not None:
            self.matching.put_profile(folded)

    @handles("dispatch", "order.claimed")
    def on_order_claimed(self, envelope: Envelope) -> None:
        """Someone took the order the match was offering (or lost the race to): it stops."""
        event: OrderClaimed = envelope.parsed()
        orders.taken(event.order_id, event.responder_id, envelope.occurred_at.timestamp(),
                     Caller.system(request_id=envelope.correlation_id))

    @handles("dispatch", "order.confirmed")
    def on_order_confirmed(self, envelope: Envelope) -> None:
        """The order's work is done: its volunteer's load drops; residents may rate it."""
        event: OrderConfirmed = envelope.parsed()
        orders.done(event, Caller.system(request_id=envelope.correlation_id))

    @handles("dispatch", "order.resolved")
    def on_order_resolved(self, envelope: Envelope) -> None:
        """The accepted volunteer's result: the order's resolution time (its hours)."""
        event: OrderResolved = envelope.parsed()
        orders.resolved(event.order_id, event.responder_id, envelope.occurred_at.timestamp(),
                        Caller.system(request_id=envelope.correlation_id))

    @handles("mediation", "mediator.requested")
    def on_mediator_requested(self, envelope: Envelope) -> None:
        """A mediation case wants a mediator: offered in turn to the skill's holders."""
        event: MediatorRequested = envelope.parsed()
        mediations.open_match(self.matching, event,
                              Caller.system(event.district_id, envelope.correlation_id))

    @handles("mediation", "case.closed", when=_mediated)
    def on_case_closed(self, envelope: Envelope) -> None:
        """The mediated case ended: its mediator's load drops (once)."""
        event: CaseClosed = envelope.parsed()
        matching.release_load(event.match_id, event.mediator_id,
                              Caller.system(request_id=envelope.correlation_id))

    @handles("care", "care.delivered", when=_by_a_volunteer)
    def on_care_delivered(self, envelope: Envelope) -> None:
        """一老一小 given by a volunteer: their hours, logged once per booking and round."""
        care_hours.logged(envelope.parsed(), Caller.system(request_id=envelope.correlation_id))

    @handles("deliberation", "decision.approved", when=_a_renewal)
    def on_renewal_approved(self, envelope: Envelope) -> None:
        """微更新: the approved renewal becomes a project of the four lists, once."""
        event: DecisionApproved = envelope.parsed()
        renewal.from_decision(event, envelope.occurred_at.timestamp(),
                              Caller.system(event.district_id, envelope.correlation_id))
