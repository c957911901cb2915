"""The deliberation service's documents (database `<prefix>deliberation`).

Every list is a keyset page on one composite key field, indexed on its own; every time is
an epoch float; participants, steps and supporters are whole lists rewritten with `$set`
by each version-conditioned commit (never `$push` of sub-documents).
"""

from __future__ import annotations

import uuid

import mongoengine as me

from services.common.store import Aggregate
from services.deliberation.domain import board

ALIAS = "deliberation"
EVERYWHERE = "*"
SLOT_SECONDS = 1800  # halls are booked by the half hour


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class DeliberationCounts(me.DynamicDocument):
    """Topics and meetings by state (`topics_<state>`, `meetings_<state>`), moved by the
    commits that change them (services/common/counters), never counted; per community
    ("c:<community>") the 五微 board's milestones (`domain/board.py`)."""

    meta = {"db_alias": ALIAS, "collection": "counts"}
    id = me.StringField(primary_key=True)  # "*"


class CommunityPlace(me.Document):
    """Where each community sits (from identity's `community.created`): street and district
    staff read a community's lists only if they see it."""

    meta = {"db_alias": ALIAS, "collection": "communities"}
    id = me.StringField(primary_key=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()


class CategorySet(Aggregate):
    """A community's topic categories (`_id` the community): `categories` is the whole set
    as rows {key, name, theme, parties, retired}, rewritten by each version-conditioned
    commit. No document: the seeded seven colours (`domain/topics.CATEGORIES`)."""

    meta = {"db_alias": ALIAS, "collection": "category_sets"}
    id = me.StringField(primary_key=True)
    categories = me.ListField(me.DictField())


class Hall(Aggregate):
    """议事厅: a place (or online room) for meetings, published to residents."""

    meta = {"db_alias": ALIAS, "collection": "halls", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("h"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    name = me.StringField(required=True)
    address = me.StringField(default="")
    opening_hours = me.StringField(default="")
    capacity = me.IntField(required=True)
    contact = me.StringField(default="")
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "c:<community>|<created>|<id>"


class Representative(Aggregate):
    """One person on the community's roster of representatives, as one kind: `_id`
    "<community>:<account>:<kind>", so the same entry added twice is one (a person may
    hold several kinds). Counted by kind through the commit's counters."""

    meta = {"db_alias": ALIAS, "collection": "representatives",
            "indexes": ["page_key", "hall_key"]}
    id = me.StringField(primary_key=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    account_id = me.StringField(required=True)
    display_name = me.StringField(required=True)
    kind = me.StringField(required=True)
    hall_id = me.StringField()
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "c:<community>|<created>|<id>"
    hall_key = me.StringField()  # "h:<hall>|<created>|<id>" when they sit in a hall
    removed = me.BooleanField(default=False)  # off the roster (kept: added again, restored)

    def tally(self) -> dict[str, dict[str, int]]:
        return {EVERYWHERE: {f"representatives_{self.kind}": 0 if self.removed else 1}}


class HallSlot(me.Document):
    """One half hour of one hall, held by one meeting: `_id` "<hall>:<slot number>" makes
    two bookings of the same slot race on the unique key (exactly one insert wins)."""

    meta = {"db_alias": ALIAS, "collection": "hall_slots"}
    id = me.StringField(primary_key=True)
    hall_id = me.StringField(required=True)
    meeting_id = me.StringField(required=True)
    taken_ts = me.FloatField()  # when the booking took it (an orphan's age)


class HallBooking(me.Document):
    """A booking of a hall for another service's meeting (mediation's: `holder_id` its
    meeting), holding its slots like a meeting does; nothing of what it is for is kept."""

    meta = {"db_alias": ALIAS, "collection": "hall_bookings"}
    id = me.StringField(primary_key=True)  # "hb-<holder id>"
    hall_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    slots = me.ListField(me.StringField())
    starts_ts = me.FloatField(required=True)
    ends_ts = me.FloatField(required=True)
    state = me.StringField(default="held")  # held | cancelled
    created_ts = me.FloatField(required=True)


class Topic(Aggregate):
    """议题: proposed (gathering supporters) → listed → scheduled → decided | closed."""

    meta = {"db_alias": ALIAS, "collection": "topics",
            "indexes": ["list_key", "proposed_key", "convention_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("t"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    title = me.StringField(required=True)
    detail = me.StringField(required=True)
    category = me.StringField(required=True)
    urgent = me.BooleanField(default=False)
    source = me.StringField(required=True)
    state = me.StringField(required=True)
    proposer_id = me.StringField()
    issue_id = me.StringField()
    grid_id = me.StringField()  # a topic of the grid joint meeting: its grid (dispatch's)
    supporters = me.ListField(me.StringField())  # account ids, at most the threshold
    support_threshold = me.IntField(required=True)
    parties = me.ListField(me.StringField())
    created_ts = me.FloatField(required=True)
    # The community's topic list, urgent first then newest: "c:<c>:list|<1|0>:<ts>|<id>".
    list_key = me.StringField()
    proposed_key = me.StringField()  # proposals still gathering supporters
    kind = me.StringField(default="matter")  # matter | convention (居民公约)
    text = me.StringField()  # a convention's text
    published_ts = me.FloatField()  # a convention's publication (its vote passed)
    convention_key = me.StringField()  # published conventions: "c:<c>:conventions|<ts>|<id>"
    renewal = me.DictField()  # a renewal's place, building, grid_id and budget_yuan (微更新)

    def tally(self) -> dict[str, dict[str, int]]:
        return {EVERYWHERE: {f"topics_{self.state}": 1},
                board.scope(self.community_id): board.topic(self.state)}


class TopicComment(me.Document):
    """A comment on a listed topic (published for comment before the meeting)."""

    meta = {"db_alias": ALIAS, "collection": "topic_comments", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("tc"))
    topic_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    author_id = me.StringField(required=True)
    text = me.StringField(required=True)
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "t:<topic>|<created>|<id>"


class Meeting(Aggregate):
    """A "4 + N" meeting on one topic and its decision: scheduled → held (minutes, plan) →
    reviewed | returned → voting → approved | rejected. The vote's deadline is
    `vote_closes_ts`, the PollTimer's one indexed float (unset when no vote is open)."""

    meta = {"db_alias": ALIAS, "collection": "meetings",
            "indexes": ["page_key", "vote_closes_ts", "supervise_ts", "escalation_key",
                        "district_escalation_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("m"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    topic_id = me.StringField(required=True)
    topic_kind = me.StringField(default="matter")  # a convention's meeting must vote
    convention_text = me.StringField()  # the convention as the meeting amended it, if so
    # A renewal's topic title and terms, copied at scheduling: its approval carries them to
    # the volunteers' project without anyone reading the topic back.
    topic_title = me.StringField()
    renewal = me.DictField()
    hall_id = me.StringField(required=True)
    starts_ts = me.FloatField(required=True)
    ends_ts = me.FloatField(required=True)
    slots = me.ListField(me.StringField())  # HallSlot ids held
    state = me.StringField(required=True)
    participants = me.ListField(me.DictField())  # account_id, party, attended
    steps = me.ListField(me.DictField())
    plan = me.DictField()
    review_reason = me.StringField(default="")
    vote_closes_ts = me.FloatField()
    secret = me.BooleanField()
    vote_policy = me.DictField()  # quorum, blanks_count, candidates, seats, roll
    eligible = me.IntField(default=0)
    ballot_salt = me.StringField()  # a secret vote's key to ballot ids; wiped at close
    result = me.DictField()
    # 督: an approved decision's supervision until its orders are confirmed.
    tasks_total = me.IntField(default=0)
    tasks_done = me.ListField(me.IntField())  # task numbers whose order dispatch confirmed
    supervise_ts = me.FloatField()  # the plan's deadline while work is open; unset after
    executed_ts = me.FloatField()
    overdue = me.BooleanField(default=False)
    escalated_ts = me.FloatField()  # went up to the street (once)
    escalation_key = me.StringField()  # the street's list: "s:<district>:<street>|<ts>|<id>"
    district_escalated_ts = me.FloatField()  # then up to the district (once)
    district_escalation_key = me.StringField()  # the district's list: "d:<district>|<ts>|<id>"
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "c:<community>|<starts>|<id>"

    @property
    def decision_id(self) -> str:
        return f"d-{self.id}"

    def tally(self) -> dict[str, dict[str, int]]:
        """By state; and (while it holds them) its hall's booked slots per month, the
        utilisation's numerator, moved by the booking's and the cancellation's commits."""
        from services.deliberation.domain.halls import booked_by_period, scope

        out: dict[str, dict[str, int]] = {
            EVERYWHERE: {f"meetings_{self.state}": 1},
            board.scope(self.community_id): board.meeting(self.state, bool(self.plan),
                                                          bool(self.result))}
        if self.state != "cancelled":
            for period, n in booked_by_period(list(self.slots or [])).items():
                out[scope(self.hall_id, period)] = {"booked_slots": n}
        return out


class Elector(me.Document):
    """Who may vote in a meeting's vote, and for which household:
    "<meeting>:<roll>:<account>" (`roll`: the opening's key, in the meeting's vote policy)."""

    meta = {"db_alias": ALIAS, "collection": "electors"}
    id = me.StringField(primary_key=True)
    household_id = me.StringField(required=True)


class Ballot(Aggregate):
    """One household's ballot, inserted with its `vote.cast` (the outbox) in one write.
    `_id` "<meeting>:<household key>" is the unique key that makes a second vote of the
    household (through any member) lose. In a secret vote the household key is an HMAC
    under the meeting's salt and no voter is stored, so once the salt is wiped at close
    no ballot can be tied to a household."""

    meta = {"db_alias": ALIAS, "collection": "ballots", "indexes": ["meeting_id"]}
    id = me.StringField(primary_key=True)
    meeting_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    choice = me.StringField()
    candidates = me.ListField(me.StringField())
    voter_id = me.StringField()  # open ballots only
    round = me.IntField(default=1)  # a runoff round's ballots are keyed by it too


Representative.tally_document = DeliberationCounts
Topic.tally_document = DeliberationCounts
Meeting.tally_document = DeliberationCounts

DOCUMENTS = [DeliberationCounts, CommunityPlace, CategorySet, Hall, Representative, HallSlot, Topic,
             TopicComment, Meeting, Elector, Ballot, HallBooking]
