"""Writing topics: a new one (proposal, admin's pick, issue) and changes through the frame."""

from __future__ import annotations

from collections.abc import Callable

from services.common import audit
from services.common.aggregate import Committed, Decision, change
from services.common.caller import Caller
from services.common.contracts.deliberation import TopicKind, TopicProposed, TopicSource
from services.deliberation import categories
from services.deliberation.access import Home
from services.deliberation.domain import topics as rules
from services.deliberation.models import Topic, new_id

EVENT_CATEGORY = "orange"  # residents' voices: issues and warnings, until an admin re-files


def derive(topic: Topic) -> None:
    for name, value in rules.keys(topic).items():
        setattr(topic, name, value)


def create(who: Caller, place: Home, *, title: str, detail: str, category: str | None,
           urgent: bool, source: TopicSource, now: float, proposer_id: str | None = None,
           issue_id: str | None = None, topic_id: str | None = None,
           kind: TopicKind = TopicKind.matter, text: str | None = None,
           grid_id: str | None = None, renewal: dict | None = None) -> Committed[Topic]:
    """A new topic in one insert with its event (a proposal gathers supporters, the rest is
    listed at once). `topic_id` fixed (an issue's) makes a redelivery lose the insert.
    `category` None: a topic from an event, filed under `rules.from_events`."""
    known = categories.rows(place.community_id)
    chosen = rules.category_of(known, category) if category is not None else \
        rules.from_events(known, EVENT_CATEGORY)
    state = rules.created_state(source)
    doc = Topic(id=topic_id or new_id("t"), district_id=place.district_id,
                street_id=place.street_id, community_id=place.community_id, title=title,
                detail=detail, category=chosen["key"], urgent=urgent, source=source.value,
                state=state.value, proposer_id=proposer_id, issue_id=issue_id, supporters=[],
                support_threshold=rules.SUPPORT_THRESHOLD,
                parties=rules.parties_of(chosen), created_ts=now, kind=kind.value, text=text,
                grid_id=grid_id, renewal=renewal or {})
    events: list = [TopicProposed(topic_id=doc.id, community_id=doc.community_id,
                                  category=chosen["key"], source=source)]
    if state.value == "listed":
        events.append(rules.listed_event(doc))

    def load() -> Topic:  # a fixed id made already (a redelivery, a concurrent one): that one
        return (Topic.objects(id=topic_id).first() if topic_id else None) or doc

    return change(load, lambda t, at: Decision(events=events) if t._created else None, who,
                  derive=derive)


def update(who: Caller, topic_id: str, decide: Callable[[Topic], Decision | None],
           action: str | None = None) -> Committed[Topic]:
    """A change of the topic; with `action`, an admin's carries its audit event."""
    def decided(t: Topic, at: object) -> Decision | None:
        made = decide(t)
        return made if action is None else audit.attach(made, who, t, f"topic.{action}",
                                                         "topic")

    return change(lambda: Topic.objects.get(id=topic_id), decided, who, derive=derive)
