"""Evaluation's documents (database `<prefix>evaluation`).

- `Case`: one per issue (or issue-less order): its folded state (`domain.Case` as a dict),
  the next deadline the timer watches, and the counter moves its last commits implied
  (`deltas_pending`), applied to the buckets right after the commit and by a timer if the
  process died in between.
- `LoggedInput`: the service's own log of applied inputs, one entry per case version
  (`<case id>:<version>`), riding in the case's commit like any history entry; `rebuild`
  replays it.
- `Bucket`: the counters of one unit for one local day (`<unit>|<yyyy-mm-dd>`); a range of
  days is a range on `key`. `marks` holds, per case, the last case version applied here,
  which makes applying a case version's deltas idempotent (bounded: the cases of one unit's
  day).
- `RatingPolicy`: the community's tenancy (from identity) and rating window.
"""

from __future__ import annotations

import mongoengine as me

from services.common.store import Aggregate

ALIAS = "evaluation"


class LoggedInput(me.Document):
    meta = {"db_alias": ALIAS, "collection": "input_log", "indexes": ["key"]}
    id = me.StringField(primary_key=True)  # "<case id>:<version>"
    key = me.StringField(required=True)  # "<case id>|<version, 10 digits>": replay order
    case_id = me.StringField(required=True)
    version = me.IntField(required=True)
    kind = me.StringField(required=True)
    at = me.FloatField(required=True)
    data = me.DictField()
    source = me.StringField()  # the event id (or rpc / timer) it came from


class Case(Aggregate):
    meta = {"db_alias": ALIAS, "collection": "cases",
            "indexes": ["next_due_ts", "deltas_flag", "outbox_pending"]}
    history_document = LoggedInput
    id = me.StringField(primary_key=True)  # the issue id (or the order id)
    community_id = me.StringField()
    state = me.DictField()  # a domain.Case
    next_due_ts = me.FloatField()  # the earliest deadline to fire (None: nothing to watch)
    deltas_pending = me.ListField(me.DictField())  # [{v, u, d, n, a}]
    deltas_flag = me.BooleanField(default=False)


class Bucket(me.Document):
    meta = {"db_alias": ALIAS, "collection": "buckets", "indexes": ["key"]}
    id = me.StringField(primary_key=True)  # "<unit>|<day>"
    key = me.StringField(required=True)  # the same: ranged and sorted by itself
    c = me.DictField()  # counters
    h = me.DictField()  # histograms {name: {bin: count}}
    marks = me.DictField()  # {case id: last version applied}


class RebuiltBucket(me.Document):
    """A bucket as `rebuild` computed it from the log (compared with `Bucket`)."""

    meta = {"db_alias": ALIAS, "collection": "rebuilt_buckets", "indexes": ["key"]}
    id = me.StringField(primary_key=True)
    key = me.StringField(required=True)
    c = me.DictField()
    h = me.DictField()


class RatingPolicy(Aggregate):
    """(Not "CommunityPolicy": mongoengine's document registry is keyed by class name, and
    dispatch has one; a second would keep its collection cached across reconnections.)
    An admin's change carries its audit event (the outbox)."""

    meta = {"db_alias": ALIAS, "collection": "community_policies"}
    id = me.StringField(primary_key=True)  # the community id
    street_id = me.StringField()
    district_id = me.StringField()
    window_days = me.IntField(default=7)
    three_route_weights = me.DictField()  # {route: weight}; empty: the defaults


DOCUMENTS = (Case, LoggedInput, Bucket, RebuiltBucket, RatingPolicy)


class UnitScope(me.Document):
    """Where a unit sits in the tenancy tree (who may read its figures), from its cases."""

    meta = {"db_alias": ALIAS, "collection": "unit_scopes",
            "indexes": ["parent_key", "district_key"]}
    id = me.StringField(primary_key=True)  # "<kind>:<id>"
    district_id = me.StringField()
    street_id = me.StringField()
    community_id = me.StringField()
    # One key per listing of peers (a league): "<kind>|<parent id>" (grids and responders
    # of a community, communities of a street, streets of a district) and
    # "<kind>|<district id>" (communities or departments of the district).
    parent_key = me.StringField()
    district_key = me.StringField()


class Alert(Aggregate):
    """An early warning (研判预警): a rising cluster of one category in one grid, raised once
    per grid, category and week, with the issues behind it; `warning.raised` tells the
    community's and the street's admins."""

    meta = {"db_alias": ALIAS, "collection": "alerts", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)  # "<grid>:<category>:<week's Monday>"
    page_key = me.StringField()  # "alerts:<community>|<raised epoch>|<id>"
    community_id = me.StringField(required=True)
    street_id = me.StringField()
    grid_id = me.StringField(required=True)
    category = me.StringField(required=True)
    recent = me.IntField()
    baseline = me.FloatField()
    issue_ids = me.ListField(me.StringField())  # at most ISSUES_BEHIND
    raised_ts = me.FloatField()


class RecentIssue(me.Document):
    """Which issues came in per grid, category and day: the issues behind an alert."""

    meta = {"db_alias": ALIAS, "collection": "recent_issues", "indexes": ["key"]}
    id = me.StringField(primary_key=True)  # = key
    key = me.StringField(required=True)  # "<grid>|<category>|<day>|<issue id>"


class Publication(Aggregate):
    """A league the district published for a period: what community and street admins see
    of their peers, until the district withdraws it (`ranking.published` /
    `ranking.withdrawn` ride in the same write)."""

    meta = {"db_alias": ALIAS, "collection": "publications",
            "indexes": ["page_key", "outbox_pending"]}
    id = me.StringField(primary_key=True)
    # "pub:<district>|<published epoch>|<id>" while published; withdrawn, the prefix is
    # "pub-withdrawn:<district>", out of the listing's range without a filter.
    page_key = me.StringField(required=True)
    district_id = me.StringField(required=True)
    league = me.DictField()  # a contracts.evaluation.League
    published_ts = me.FloatField()
    withdrawn = me.BooleanField(default=False)
    withdrawn_ts = me.FloatField()
    withdrawn_by = me.StringField()


class CommitteeEvaluation(Aggregate):
    """三评议: a community's self-management committee evaluated for one year by three routes
    (online, residents' meeting, public board), combined by the weights of the day it was
    recorded (kept with it: changing the weights later does not rewrite a past year)."""

    meta = {"db_alias": ALIAS, "collection": "committee_evaluations"}
    id = me.StringField(primary_key=True)  # "<community id>:<year>"
    community_id = me.StringField(required=True)
    year = me.IntField(required=True)
    scores = me.DictField()  # {route: 0-100}
    weights = me.DictField()  # {route: weight as used}
    missing = me.ListField(me.StringField())
    combined = me.FloatField()
    note = me.StringField()
    recorded_by = me.StringField()
    recorded_ts = me.FloatField()


DOCUMENTS = (*DOCUMENTS, UnitScope, Alert, RecentIssue, Publication, CommitteeEvaluation)
