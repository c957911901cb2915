"""议题清单: the topic categories (seed 000's seven colours) and a topic's life, pure.

proposed (a resident's proposal gathering supporters) → listed (threshold reached, or an
admin's pick, or an issue triaged as a deliberation topic) → scheduled (a meeting booked)
→ decided (its decision approved) | closed. Urgent topics (急事急办) sort ahead of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.deliberation import (
    Colour,
    ConventionPublished,
    Party,
    TopicKind,
    TopicListed,
    TopicSource,
    TopicState,
)
from services.common.errors import Conflict, InvalidInput
from services.common.paging import SEP

SUPPORT_THRESHOLD = 5  # supporters a proposal needs to reach the list (金点子)
FOUR = [Party.community_committee, Party.mediation_committee, Party.police,
        Party.residents_representative]


@dataclass(frozen=True)
class Category:
    colour: Colour
    name: str
    theme: str
    parties: tuple[Party, ...]  # the "N" a topic of this colour brings to the "4"


CATEGORIES: dict[Colour, Category] = {c.colour: c for c in (
    Category(Colour.red, "红色·党群共议", "party building and public affairs",
             (Party.party_member,)),
    Category(Colour.orange, "橙色·慧声共倾", "residents' voices and living conditions",
             (Party.building_head, Party.stakeholder)),
    Category(Colour.yellow, "黄色·余热回议", "the elderly and retired residents",
             (Party.volunteer, Party.stakeholder)),
    Category(Colour.green, "绿色·绿苗童声", "children, youth and the environment",
             (Party.youth_representative, Party.stakeholder)),
    Category(Colour.cyan, "青色·邻里和议", "neighbour disputes and mediation",
             (Party.stakeholder, Party.expert)),
    Category(Colour.blue, "蓝色·平安共商", "safety and order",
             (Party.property_company, Party.stakeholder)),
    Category(Colour.purple, "紫色·共建共享", "property, facilities and shared spaces",
             (Party.property_company, Party.expert, Party.stakeholder)),
)}


MAX_CATEGORIES = 30  # a community's set stays one small document


def default_rows() -> list[dict[str, Any]]:
    """The set a community starts with: the seven colours and their default parties."""
    return [{"key": c.colour.value, "name": c.name, "theme": c.theme,
             "parties": [p.value for p in c.parties], "retired": False}
            for c in CATEGORIES.values()]


def put_category(rows: list[dict[str, Any]], key: str, name: str, theme: str,
                 parties: list[str], retired: bool) -> list[dict[str, Any]] | None:
    """The set with category `key` added or changed (None: it is already so)."""
    row = {"key": key, "name": name, "theme": theme,
           "parties": [p for p in dict.fromkeys(parties) if p not in FOUR], "retired": retired}
    out, found = [], False
    for old in rows:
        if old["key"] == key:
            if old == row:
                return None
            out.append(row)
            found = True
        else:
            out.append(dict(old))
    if not found:
        if len(rows) >= MAX_CATEGORIES:
            raise InvalidInput(f"a community has at most {MAX_CATEGORIES} categories",
                               {"key": "too many categories"})
        out.append(row)
    return out


def category_of(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The category a new topic names: in the community's set and not retired."""
    for row in rows:
        if row["key"] == key:
            if row.get("retired"):
                raise InvalidInput("this category is retired", {"category": "retired"})
            return row
    raise InvalidInput(f"unknown category {key!r}", {"category": "not in the community's set"})


def from_events(rows: list[dict[str, Any]], preferred: str) -> dict[str, Any]:
    """The category of a topic arriving by event (an issue, a warning): `preferred` while the
    community keeps it, else its first active one; a set with none left gets the seeded
    `preferred` (an event is never refused: an admin re-files it)."""
    active = [r for r in rows if not r.get("retired")]
    for row in active:
        if row["key"] == preferred:
            return row
    if active:
        return active[0]
    return next(r for r in default_rows() if r["key"] == preferred)


def parties_of(category: dict[str, Any]) -> list[str]:
    """The "4" plus the category's default parties."""
    return [p.value for p in FOUR] + [p for p in category["parties"] if p not in FOUR]


def listed_event(topic: Any) -> TopicListed:
    return TopicListed(topic_id=topic.id, community_id=topic.community_id,
                       category=topic.category, urgent=bool(topic.urgent),
                       source=TopicSource(topic.source))


def created_state(source: TopicSource) -> TopicState:
    return TopicState.proposed if source is TopicSource.proposal else TopicState.listed


def support(topic: Any, account_id: str) -> Decision | None:
    """A resident supports a proposal: listed once the threshold is reached (None: they had)."""
    if topic.state != TopicState.proposed:
        raise Conflict("this topic no longer gathers supporters", {"state": topic.state})
    if account_id in topic.supporters or account_id == topic.proposer_id:
        return None
    supporters = [*topic.supporters, account_id]
    if len(supporters) < topic.support_threshold:
        return Decision(changes={"supporters": supporters})
    return Decision(changes={"supporters": supporters, "state": TopicState.listed.value},
                    events=[listed_event(topic)])


def pick(topic: Any) -> Decision | None:
    """An admin puts a proposal on the list before it has all its supporters."""
    if topic.state == TopicState.listed:
        return None
    if topic.state != TopicState.proposed:
        raise Conflict("only a proposal can be picked", {"state": topic.state})
    return Decision(changes={"state": TopicState.listed.value}, events=[listed_event(topic)])


def schedule(topic: Any) -> Decision | None:
    if topic.state in (TopicState.scheduled, TopicState.decided):
        return None
    if topic.state != TopicState.listed:
        raise Conflict("only a listed topic can be scheduled", {"topic_id": topic.state})
    return Decision(changes={"state": TopicState.scheduled.value})


def unschedule(topic: Any) -> Decision | None:
    """Its meeting was called off: back on the list for another one."""
    if topic.state != TopicState.scheduled:
        return None
    return Decision(changes={"state": TopicState.listed.value})


def settle(topic: Any, approved: bool, now: float,
           amended: str | None = None) -> Decision | None:
    """Its decision approved (a convention is then published, in the text its meeting
    amended it to if it did) or rejected."""
    target = TopicState.decided if approved else TopicState.closed
    if topic.state in (TopicState.decided, TopicState.closed):
        return None
    if not (approved and topic.kind == TopicKind.convention):
        return Decision(changes={"state": target.value})
    return Decision(changes={"state": target.value, "published_ts": now,
                             "text": amended or topic.text},
                    events=[ConventionPublished(topic_id=topic.id, community_id=topic.community_id,
                                                title=topic.title, published_ts=now)])


def keys(topic: Any) -> dict[str, str | None]:
    """The listings the topic is in: the community's list (urgent first, newest first) and
    the proposals still gathering supporters."""
    stamp = f"{topic.created_ts:017.6f}"
    rank = "1" if topic.urgent else "0"
    listed = topic.state in (TopicState.listed, TopicState.scheduled)
    return {"list_key": f"c:{topic.community_id}:list{SEP}{rank}:{stamp}{SEP}{topic.id}"
            if listed else None,
            "proposed_key": f"c:{topic.community_id}:proposed{SEP}{rank}:{stamp}{SEP}{topic.id}"
            if topic.state == TopicState.proposed else None,
            "convention_key": f"c:{topic.community_id}:conventions{SEP}"
            f"{topic.published_ts:017.6f}{SEP}{topic.id}" if topic.published_ts else None}
