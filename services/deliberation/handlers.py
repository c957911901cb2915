"""Events deliberation consumes: communities (who sees what), issues triaged as
deliberation topics, its own meetings' and votes' outcomes moving their topics, and
dispatch's confirmed orders of its decisions (督).

Each write is idempotent by the source event: a topic from an issue has the issue's id
(`t-<issue>`), and topic moves are conditional transitions through the commit frame.
"""

from __future__ import annotations

import logging

from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.deliberation import (
    DecisionApproved,
    MeetingCancelled,
    MeetingScheduled,
    TopicSource,
    VoteClosed,
)
from services.common.contracts.dispatch import GridChanged, GridRemoved, OrderConfirmed
from services.common.contracts.evaluation import WarningRaised
from services.common.contracts.identity import CommunityCreated
from services.common.contracts.intake import IssueTriaged
from services.common.contracts.workflow import Urgency
from services.common.inbox import handles
from services.deliberation import grids, supervision, topics
from services.deliberation.access import Home
from services.deliberation.domain import topics as rules
from services.deliberation.models import CommunityPlace, Meeting, Topic

log = logging.getLogger(__name__)
TOPIC_CATEGORY = "deliberation_topic"  # intake's catalogue code for 议事提议


def _move(topic_id: str, decide, envelope: Envelope) -> None:  # noqa: ANN001
    if Topic.objects(id=topic_id).only("id").first() is None:
        return
    topics.update(Caller.system(request_id=envelope.correlation_id), topic_id, decide)


def _a_topic(envelope: Envelope) -> bool:
    """Only issues filed as matters for deliberation: the rest are not its business."""
    return envelope.parsed().category == TOPIC_CATEGORY


class EventHandlers:
    @handles("identity", "community.created")
    def on_community_created(self, envelope: Envelope) -> None:
        event: CommunityCreated = envelope.parsed()
        CommunityPlace._get_collection().update_one({"_id": event.community_id}, {"$set": {
            "district_id": event.district_id, "street_id": event.street_id}}, upsert=True)

    @handles("dispatch", "grid.changed")
    def on_grid_changed(self, envelope: Envelope) -> None:
        """Keep the copy of dispatch's grids (a grid joint meeting's topic names one)."""
        changed: GridChanged = envelope.parsed()
        grids.GRIDS.apply(changed.community_id, changed.grid_id, changed.version,
                          name=changed.name)

    @handles("dispatch", "grid.removed")
    def on_grid_removed(self, envelope: Envelope) -> None:
        removed: GridRemoved = envelope.parsed()
        grids.GRIDS.apply(removed.community_id, removed.grid_id, removed.version, removed=True)

    @handles("intake", "issue.triaged", when=_a_topic)
    def on_issue_triaged(self, envelope: Envelope) -> None:
        """An issue filed as a matter for deliberation (议事提议) goes on the topic list."""
        event: IssueTriaged = envelope.parsed()
        topic_id = f"t-{event.issue_id}"
        if Topic.objects(id=topic_id).only("id").first() is not None:
            return  # redelivered
        place = Home(event.district_id, event.street_id, event.community_id)
        topics.create(Caller.system(event.district_id, envelope.correlation_id), place,
                      title=event.summary[:80].splitlines()[0] or "议事提议",
                      detail=event.summary[:500], category=None,
                      urgent=event.urgency is Urgency.urgent, source=TopicSource.issue,
                      now=envelope.occurred_at.timestamp(), issue_id=event.issue_id,
                      topic_id=topic_id)

    @handles("evaluation", "warning.raised")
    def on_warning_raised(self, envelope: Envelope) -> None:
        """研判预警: a rising cluster of issues goes on the topic list for deliberation."""
        event: WarningRaised = envelope.parsed()
        topic_id = f"t-{event.alert_id}"
        place = CommunityPlace.objects(id=event.community_id).first()
        if place is None:  # identity's community.created not here: nothing to place it in
            log.warning("warning %s for an unknown community %s", event.alert_id,
                        event.community_id)
            return
        if Topic.objects(id=topic_id).only("id").first() is not None:
            return
        home = Home(place.district_id, place.street_id, event.community_id)
        detail = (f"{event.category}: {event.recent} issues in the last 7 days against "
                  f"{event.baseline:.1f} a week before (grid {event.grid_id})")
        topics.create(Caller.system(place.district_id, envelope.correlation_id), home,
                      title=f"研判预警 · {event.category}"[:80], detail=detail[:500],
                      category=None, urgent=False, source=TopicSource.warning,
                      now=envelope.occurred_at.timestamp(), topic_id=topic_id)

    @handles("deliberation", "meeting.scheduled")
    def on_meeting_scheduled(self, envelope: Envelope) -> None:
        event: MeetingScheduled = envelope.parsed()
        _move(event.topic_id, rules.schedule, envelope)

    @handles("deliberation", "meeting.cancelled")
    def on_meeting_cancelled(self, envelope: Envelope) -> None:
        event: MeetingCancelled = envelope.parsed()
        _move(event.topic_id, rules.unschedule, envelope)

    @handles("deliberation", "decision.approved")
    def on_decision_approved(self, envelope: Envelope) -> None:
        event: DecisionApproved = envelope.parsed()
        at = envelope.occurred_at.timestamp()
        meeting = Meeting.objects(id=event.meeting_id).only("convention_text").first()
        amended = meeting.convention_text if meeting is not None else None
        _move(event.topic_id, lambda t: rules.settle(t, approved=True, now=at,
                                                     amended=amended), envelope)

    @handles("deliberation", "vote.closed")
    def on_vote_closed(self, envelope: Envelope) -> None:
        event: VoteClosed = envelope.parsed()
        if event.passed:
            return  # decision.approved settles it
        meeting = Meeting.objects(id=event.meeting_id).only("topic_id").first()
        if meeting is not None:
            _move(meeting.topic_id, lambda t: rules.settle(
                t, approved=False, now=envelope.occurred_at.timestamp()), envelope)

    @handles("dispatch", "order.confirmed")
    def on_order_confirmed(self, envelope: Envelope) -> None:
        """One of a decision's orders is done (办); the last one executes the decision."""
        event: OrderConfirmed = envelope.parsed()
        supervision.confirmed(event.order_id, envelope.occurred_at.timestamp(),
                          Caller.system(request_id=envelope.correlation_id))
