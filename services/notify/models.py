"""The notify service's documents (database `<prefix>notify`).

A notification is addressed to ONE audience: a person (`u:<user>`), a community's residents
(`r:<community>`), a unit (`dep:<community>:<department>`) or a grid's workers
(`g:<community>:<grid>`). A community-wide notification is one document however many
residents it has; each reader keeps per-audience read markers in their own `Reader`
document (a watermark and the ids read above it). The unread count is counters, never a
count query: `AudienceCounts` `a:<audience>` moves with each notification's insert
(services/common/counters), and the reader's markers subtract what they cover.
"""

from __future__ import annotations

import mongoengine as me

from services.common.store import Aggregate

ALIAS = "notify"


class AudienceCounts(me.DynamicDocument):
    """`a:<audience>` → `total`: notifications ever addressed to it (moved by the inserts)."""

    meta = {"db_alias": ALIAS, "collection": "counts"}
    id = me.StringField(primary_key=True)


class Notification(Aggregate):
    """One message in an audience's inbox; written once, never changed (reads are the
    reader's markers)."""

    meta = {"db_alias": ALIAS, "collection": "notifications", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)  # n-<hash of source event and audience>
    audience = me.StringField(required=True)
    kind = me.StringField(required=True)
    ref = me.StringField(required=True)
    title = me.StringField(required=True)
    body = me.StringField(default="")
    community_id = me.StringField()
    source = me.StringField(required=True)  # the event (or reminder) it came from
    created_ts = me.FloatField(required=True)  # notify's own clock at the insert
    page_key = me.StringField()  # "<audience>|<created>|<id>": the inbox, newest first

    def tally(self) -> dict[str, dict[str, int]]:
        return {f"a:{self.audience}": {"total": 1}}


Notification.tally_document = AudienceCounts


class Reader(Aggregate):
    """A person's read markers per audience: {audience: {base, seen_ts, read: [ids]}}.
    Everything at or before `seen_ts` is read (`base` of the audience's total was counted
    then); `read` holds the ids read one by one after it."""

    meta = {"db_alias": ALIAS, "collection": "readers"}
    id = me.StringField(primary_key=True)  # the user id
    marks = me.DictField()


class Preference(me.Document):
    """Which outbound channels a person wants for which kind (in_app is always on)."""

    meta = {"db_alias": ALIAS, "collection": "preferences"}
    id = me.StringField(primary_key=True)  # the user id
    channels = me.DictField()  # kind -> [channel, ...] (outbound only)
    updated_ts = me.FloatField()


class Delivery(me.Document):
    """One notification to one person over one outbound channel: `_id`
    "<notification>:<channel>" (the notification's id hashes the event and the person), so
    never twice. `next_ts` is the PollTimer's indexed deadline while it is to be tried;
    `lane_key` "<person>:<channel>|<event time>|<id>" orders a person's deliveries while it
    is pending (unset once sent or given up)."""

    meta = {"db_alias": ALIAS, "collection": "deliveries", "indexes": ["next_ts", "lane_key"]}
    id = me.StringField(primary_key=True)
    notification_id = me.StringField(required=True)
    recipient = me.StringField(required=True)
    channel = me.StringField(required=True)
    payload = me.DictField()
    state = me.StringField(default="pending")  # pending | sent | failed
    attempts = me.IntField(default=0)
    version = me.IntField(default=0)  # every claim and outcome is conditional on it
    next_ts = me.FloatField()
    lane_key = me.StringField()
    created_ts = me.FloatField(required=True)
    sent_ts = me.FloatField()
    last_error = me.StringField()


class IssueLink(me.Document):
    """Intake's issues as far as telling people goes: who reported it, what it was merged
    into (fed by issue.received / issue.merged; never an RPC)."""

    meta = {"db_alias": ALIAS, "collection": "issue_links"}
    id = me.StringField(primary_key=True)  # the issue id
    community_id = me.StringField()
    reporter_id = me.StringField()
    merged_into = me.StringField()


class Follower(me.Document):
    """A person told of an issue's steps: its reporter, and the reporters of the issues
    merged into it. `_id` "<issue>:<user>" (idempotent); `issue_id` one indexed equality."""

    meta = {"db_alias": ALIAS, "collection": "followers", "indexes": ["issue_id"]}
    id = me.StringField(primary_key=True)
    issue_id = me.StringField(required=True)
    user_id = me.StringField(required=True)


class Reminder(me.Document):
    """A summoned unit's or member's report-in deadline, to remind them before it
    (dispatch publishes nothing before the deadline: notify keeps its own). `next_ts` the
    PollTimer's indexed float while pending; `_id` "rm-<whistle>:<target>"."""

    meta = {"db_alias": ALIAS, "collection": "reminders", "indexes": ["next_ts"]}
    id = me.StringField(primary_key=True)
    order_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    target = me.StringField(required=True)  # "department:<id>" | "member:<user>"
    due_ts = me.FloatField(required=True)
    next_ts = me.FloatField()
    state = me.StringField(default="pending")  # pending | fired | reported


DOCUMENTS = [AudienceCounts, Notification, Reader, Preference, Delivery, IssueLink, Follower,
             Reminder]
