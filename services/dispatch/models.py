"""Dispatch's documents (database `<prefix>dispatch`).

An order carries its whistles, report-ins and breach keys as whole lists rewritten
with each commit (the store mangles `$push` of sub-documents; reassigning the list
writes it with `$set`), and its new history lines and events in the same write:
one version-conditioned single-document write per state change. The relay moves
the lines to `order_lines` and publishes the events.
"""

from __future__ import annotations

import uuid

import mongoengine as me

from services.common.mirror import Mirror
from services.common.store import Aggregate, Instant

ALIAS = "dispatch"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class CommunityPolicy(Aggregate):
    """Per community: its root grid, SLA hours by urgency, claim cap, report-in minutes.
    An admin's change carries its audit event (the outbox)."""

    meta = {"db_alias": ALIAS, "collection": "community_policies"}
    id = me.StringField(primary_key=True)  # the community id
    district_id = me.StringField(required=True)
    street_id = me.StringField(required=True)
    root_grid_id = me.StringField(required=True)
    sla = me.DictField()  # urgency → [response hours, resolution hours]
    claim_cap = me.IntField(required=True)
    report_in_minutes = me.FloatField(required=True)


class Grid(Aggregate):
    """A grid (网格), compound or building; each change carries its `grid.changed` event."""

    meta = {"db_alias": ALIAS, "collection": "grids", "indexes": [
        {"fields": ["community_id", "code"], "unique": True}, "parent_id", "page_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("g"))
    page_key = me.StringField()  # "grids|<created epoch>|<id>": the registry's backfill pages
    community_id = me.StringField(required=True)
    code = me.StringField(required=True)
    name = me.StringField(required=True)
    depth = me.IntField(required=True)  # 1/2/3 grids, 4 compound, 5 building
    parent_id = me.StringField()
    worker_id = me.StringField()  # 网格员
    party_branch = me.StringField()  # 网格党支部
    polygon = me.ListField(me.ListField(me.FloatField()))  # [[lng, lat], ...]
    addresses = me.ListField(me.StringField())


def duty_key(community_id: str, kind: str) -> str:
    return f"{community_id}|{kind}"


class Responder(Aggregate):
    """Someone who answers orders: a member reporting in (双报到), an operator, or a unit.
    An admin's registration and duty change carry their audit events (the outbox)."""

    # `duty_key` ("<community id>|<kind>") is the one single-field key the maker's lookup of
    # the responsible unit reads by (nx-27017 uses no compound index and scans otherwise).
    meta = {"db_alias": ALIAS, "collection": "responders", "indexes": [
        {"fields": ["community_id", "key"], "unique": True}, "duty_key"]}  # no multikey: see Order
    id = me.StringField(primary_key=True, default=lambda: new_id("r"))
    community_id = me.StringField(required=True)
    key = me.StringField(required=True)  # "member:<user id>" or "department:<department id>"
    kind = me.StringField(required=True)  # grid_worker|party_member|volunteer|operator|department
    name = me.StringField(required=True)
    user_id = me.StringField()
    department_id = me.StringField()
    home_grid_id = me.StringField()
    categories = me.ListField(me.StringField())  # responsibilities by category
    jurisdiction = me.ListField(me.StringField())  # grid ids; empty: the whole community
    skills = me.ListField(me.StringField())
    on_duty = me.BooleanField(default=True)
    contact = me.StringField()
    consent = me.StringField(default="given")  # "pending": an admin's registration of a person
    duty_key = me.StringField()  # derived on every save (`clean`)

    def clean(self) -> None:
        self.duty_key = duty_key(self.community_id, self.kind)


class ClaimCounter(me.Document):
    """Open claims per member, moved only by guarded `$inc` (the cap holds under concurrency).

    `key` repeats the user id as an indexed field: the repair walks counters by a range on
    it (a range on `_id` sorted by `_id` is a scan on the embedded store)."""

    meta = {"db_alias": ALIAS, "collection": "claim_counters", "indexes": ["key"]}
    id = me.StringField(primary_key=True)  # user id
    key = me.StringField()
    open_claims = me.IntField(default=0)


EVERYWHERE = "*"


class OrderTally(me.Document):
    """A community's order figures ("c:<id>"), and the whole deployment's ("*"), moved by
    each commit's difference (Order.tally, folded once by services/common/counters): read,
    never counted.

    The keys are flat ("orders:<level>/<state>", "overdue", ...; an upsert's `$inc` of a
    dotted path stores the dots on nx-27017), so it is read raw with `figures`."""

    meta = {"db_alias": ALIAS, "collection": "order_tallies", "strict": False}
    id = me.StringField(primary_key=True)

    @classmethod
    def figures(cls, scope: str) -> dict[str, int]:
        row = cls._get_collection().find_one({"_id": scope}) or {}
        # `applied`: the ids of the differences being folded in (services/common/counters)
        return {k: int(v or 0) for k, v in row.items() if k not in ("_id", "applied")}

    @classmethod
    def add(cls, scope: str, delta: dict[str, int]) -> None:
        cls._get_collection().update_one({"_id": scope}, {"$inc": delta}, upsert=True)


class SweepMark(me.Document):
    """Where a bounded sweep stopped last run (it resumes there)."""

    meta = {"db_alias": ALIAS, "collection": "sweep_marks"}
    id = me.StringField(primary_key=True)  # the sweep's name
    after = me.StringField(default="")


class OrderLine(me.Document):
    """One line of an order's history (TimelineEntry), moved here by the outbox relay from
    the order's commit (`history_pending`): written with its state change, never after it.

    `_id` is "<order id>|<version>|<n>" (a retried commit writes the same lines) and `key`
    repeats it as the one indexed field an order's history is read by (range, sorted)."""

    meta = {"db_alias": ALIAS, "collection": "order_lines", "indexes": ["key"]}
    id = me.StringField(primary_key=True)
    key = me.StringField(required=True)
    at = Instant(required=True)
    kind = me.StringField(required=True)
    by = me.StringField(required=True)
    role = me.StringField(required=True)
    level = me.StringField(required=True)
    source = me.StringField()
    ref = me.StringField()
    responder = me.StringField()
    reason = me.StringField()
    from_level = me.StringField()
    result = me.StringField()
    whistle_id = me.StringField()
    targets = me.ListField(me.StringField(), default=None)
    skill = me.StringField()  # skill_set
    target = me.StringField()
    late = me.BooleanField()
    escalated_to = me.StringField()


class Order(Aggregate):
    # No index on the array fields (departments, reached_grids): nx-27017 0.8.1 then answers
    # an equality query on them with nothing (multikey index divergence).
    # One single-field index per access pattern: the scheduler's float range and one page key
    # per listing (domain/keys.py); nothing else is queried but `_id`.
    # Not strict: orders stored before the history moved to `order_lines` carry a `timeline`.
    meta = {"db_alias": ALIAS, "collection": "orders", "strict": False, "indexes": [
        "next_due_ts", "board_key", "state_key", "pool_key", "holder_key", "street_key",
        "district_key", "street_reached_key", "district_reached_key", "due_key"]}
    history_document = OrderLine
    tally_document = OrderTally
    id = me.StringField(primary_key=True, default=lambda: new_id("o"))  # o-<issue id> for issues
    issue_id = me.StringField()
    source = me.StringField(required=True)  # issue | deliberation | manual
    district_id = me.StringField(required=True)
    street_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    level = me.StringField(required=True)
    grid_id = me.StringField()
    grid_chain = me.ListField(me.StringField())  # own grid … root
    reached_grids = me.ListField(me.StringField())
    reached_levels = me.ListField(me.StringField())
    pool = me.BooleanField(default=False)
    state = me.StringField(required=True)
    category = me.StringField(required=True)
    urgency = me.StringField(required=True)
    summary = me.StringField(required=True)
    leader = me.StringField()  # responsible leader (责任领导)
    department_id = me.StringField()  # responsible department (责任部门)
    person_id = me.StringField()  # responsible person (责任人), assigned
    cooperating = me.ListField(me.StringField())  # co-operating units (协办)
    departments = me.ListField(me.StringField())  # all units that see it
    members = me.ListField(me.StringField())  # users assigned or summoned
    claimed_by = me.StringField()
    claimed_at = Instant()
    skill = me.StringField()  # of the taxonomy: what volunteers matches the order on
    opened_at = Instant(required=True)
    response_hours = me.FloatField(required=True)
    resolution_hours = me.FloatField(required=True)
    response_due_at = Instant()
    resolution_due_at = Instant()
    next_due_ts = me.FloatField()  # epoch seconds of the earliest deadline still watched
    resolution_due_ts = me.FloatField()  # epoch seconds: the overdue query
    result = me.StringField()
    evidence = me.ListField(me.StringField())
    whistles = me.ListField(me.DictField())
    report_ins = me.ListField(me.DictField())
    breaches = me.ListField(me.StringField())  # keys of deadlines already handled
    misses = me.IntField(default=0)  # claims that lapsed without 响应
    whistle_count = me.IntField(default=0)  # summed per community (too few / too many)
    escalation_count = me.IntField(default=0)
    missed_count = me.IntField(default=0)  # report-ins that missed their deadline
    created_at = Instant(required=True)
    board_key = me.StringField()
    state_key = me.StringField()
    pool_key = me.StringField()
    holder_key = me.StringField()
    street_key = me.StringField()
    district_key = me.StringField()
    street_reached_key = me.StringField()
    district_reached_key = me.StringField()
    due_key = me.StringField()  # while active: the board by nearest resolution deadline

    def tally(self) -> dict[str, dict[str, int]]:
        """The order's share of its community's figures and the deployment's (OrderTally):
        the commit frame writes the difference with the change (services/common/counters)."""
        from services.dispatch.commit import facts  # commit builds on these models
        from services.dispatch.domain.keys import tally

        share = {k: v for k, v in tally(facts(self)).items() if v}
        return {f"c:{self.community_id}": share, EVERYWHERE: share}


DOCUMENTS = [CommunityPolicy, Grid, Responder, ClaimCounter, OrderTally, SweepMark, Order,
             OrderLine, *Mirror("dispatch", "category").documents]
