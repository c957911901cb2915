"""Events the mediation service consumes: intake's issues triaged in a mediation category
(the case, `md-<issue>`), volunteers' match of a mediator for a case, and evaluation's
ratings of a case by its parties. Each write is idempotent by the source event: the case's
id, or a conditional transition through the commit frame."""

from __future__ import annotations

from services.common import access
from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.evaluation import ItemKind, ItemRated
from services.common.contracts.intake import IssueTriaged
from services.common.contracts.volunteers import MatchAccepted, MatchExhausted, MatchOffered
from services.common.inbox import handles
from services.mediation import domain
from services.mediation.cases import new_case, open_new, update
from services.mediation.models import MediationCase, case_id_for_issue

# intake's catalogue codes of the 矛盾调解 group, and the kind of case each becomes
CATEGORIES = {"neighbour_dispute": "neighbour", "family_dispute": "family"}


def _a_dispute(envelope: Envelope) -> bool:
    return envelope.parsed().category in CATEGORIES


def _a_case(envelope: Envelope) -> bool:
    return envelope.parsed().need_kind == "mediation"


def _a_case_rating(envelope: Envelope) -> bool:
    return envelope.parsed().kind is ItemKind.mediation


def _known(case_id: str) -> bool:
    return MediationCase.objects(id=case_id).only("id").first() is not None


class EventHandlers:
    @handles("intake", "issue.triaged", when=_a_dispute)
    def on_issue_triaged(self, envelope: Envelope) -> None:
        """A dispute filed with intake becomes a case; its reporter is the first party."""
        event: IssueTriaged = envelope.parsed()
        case_id = case_id_for_issue(event.issue_id)
        if _known(case_id):
            return  # redelivered
        who = Caller.system(event.district_id, envelope.correlation_id)
        place = access.Home(event.district_id, event.street_id, event.community_id)
        parties = [{"name": "报告人", "account_id": event.reporter_id},
                   {"name": "对方当事人", "account_id": None}]
        case = new_case(place, case_id=case_id, kind=CATEGORIES[event.category],
                        source="issue", summary=event.summary, grid_id=event.grid_id,
                        opened_by="intake", parties=parties, issue_id=event.issue_id)
        open_new(case, who)

    @handles("volunteers", "match.accepted", when=_a_case)
    def on_match_accepted(self, envelope: Envelope) -> None:
        """The mediator who accepted the offer is the case's (the first one only)."""
        event: MatchAccepted = envelope.parsed()
        if _known(event.need_id):
            update(Caller.system(request_id=envelope.correlation_id), event.need_id,
                   lambda c, now: domain.mediator_accepted(c, event.match_id,
                                                           event.volunteer_account_id))

    @handles("volunteers", "match.offered", when=_a_case)
    def on_match_offered(self, envelope: Envelope) -> None:
        event: MatchOffered = envelope.parsed()
        if _known(event.need_id):
            update(Caller.system(request_id=envelope.correlation_id), event.need_id,
                   lambda c, now: domain.search_ended(c, "offered"))

    @handles("volunteers", "match.exhausted", when=_a_case)
    def on_match_exhausted(self, envelope: Envelope) -> None:
        """Nobody accepted: the admin asks again (`request_mediator`)."""
        event: MatchExhausted = envelope.parsed()
        if _known(event.need_id):
            update(Caller.system(request_id=envelope.correlation_id), event.need_id,
                   lambda c, now: domain.search_ended(c, "exhausted"))

    @handles("evaluation", "item.rated", when=_a_case_rating)
    def on_item_rated(self, envelope: Envelope) -> None:
        """A party rated the mediation: the case's rating (once per rating id)."""
        event: ItemRated = envelope.parsed()
        case_id = event.item_id.removeprefix("med-")
        if _known(case_id):
            update(Caller.system(request_id=envelope.correlation_id), case_id,
                   lambda c, now: domain.rated(c, event.rating_id, event.score))
