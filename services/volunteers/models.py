"""The volunteers service's documents (database `<prefix>volunteers`).

Every list is a keyset page on one composite key field, indexed on its own; every time
is an epoch float; rosters, offers and certifications are whole lists rewritten with
`$set` by each version-conditioned commit (never `$push` of sub-documents).
"""

from __future__ import annotations

import uuid

import mongoengine as me

from services.common.store import Aggregate
from services.volunteers.domain import tallies

ALIAS = "volunteers"
EVERYWHERE = tallies.EVERYWHERE


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Profile(Aggregate):
    """A volunteer, party member, community operator or building head (one per account).

    `changed_ts` moves with every write: each replica's match index catches up on what
    other replicas wrote by a range on it (`index.py`)."""

    meta = {"db_alias": ALIAS, "collection": "profiles",
            "indexes": ["page_key", "changed_ts", "talent_key"]}
    id = me.StringField(primary_key=True)  # the account id
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    display_name = me.StringField(required=True)
    kinds = me.ListField(me.StringField())
    skills = me.ListField(me.StringField())
    certifications = me.ListField(me.DictField())
    languages = me.ListField(me.StringField())
    grid_id = me.StringField()
    windows = me.ListField(me.DictField())
    exceptions = me.ListField(me.DictField())
    consent = me.BooleanField(default=False)
    contact = me.DictField()
    bio = me.StringField()
    hours_total = me.FloatField(default=0.0)
    rating_sum = me.FloatField(default=0.0)
    rating_count = me.IntField(default=0)
    ratings_folded = me.ListField(me.StringField())  # the last item.rated ids folded in
    load = me.IntField(default=0)  # matches accepted and not yet done
    # What the talent archive's four looks are computed from (domain/talent.py).
    wishes_claimed = me.IntField(default=0)
    wishes_fulfilled = me.IntField(default=0)
    activities_attended = me.IntField(default=0)
    offers_accepted = me.IntField(default=0)
    offers_declined = me.IntField(default=0)  # declined or let lapse
    looks = me.DictField()
    talent_score = me.FloatField(default=0.0)
    talent_key = me.StringField()  # "t:<community>|<score>|<id>": the archive, best first
    created_ts = me.FloatField(required=True)
    changed_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "c:<community>|<created>|<id>"

    def tally(self) -> dict[str, dict[str, int]]:
        return tallies.scoped(self.community_id, tallies.profile(bool(self.consent),
                                                                 self.skills or ()))


class Wish(Aggregate):
    """微心愿: open → claimed (one volunteer wins) → fulfilled (the resident confirms)."""

    meta = {"db_alias": ALIAS, "collection": "wishes",
            "indexes": ["board_key", "mine_key", "claimed_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("w"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    resident_account_id = me.StringField(required=True)
    title = me.StringField(required=True)
    detail = me.StringField(required=True)
    skill = me.StringField()
    grid_id = me.StringField()
    hours = me.FloatField(required=True)
    state = me.StringField(required=True)
    volunteer_account_id = me.StringField()
    created_ts = me.FloatField(required=True)
    claimed_ts = me.FloatField()
    fulfilled_ts = me.FloatField()
    rating = me.IntField()
    note = me.StringField()
    credited = me.BooleanField(default=False)  # hours and rating added to the profile
    match_id = me.StringField()  # the match whose accepted offer claimed it (its load)
    board_key = me.StringField()  # open wishes of the community; None once claimed
    mine_key = me.StringField()  # the resident's wishes
    claimed_key = me.StringField()  # the volunteer's claimed and fulfilled wishes

    def tally(self) -> dict[str, dict[str, int]]:
        return tallies.scoped(self.community_id, tallies.wish(self.state, self.hours))


class Activity(Aggregate):
    """活动 / 工坊 with its roster: participants and the waitlist in order, in the document.

    A participant's entry: account_id, code (their one-time door code), position,
    checked_in_ts, checked_out_ts, hours (logged once)."""

    meta = {"db_alias": ALIAS, "collection": "activities", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("act"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    organiser_account_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    title = me.StringField(required=True)
    detail = me.StringField(required=True)
    workshop = me.StringField()
    skill = me.StringField()
    grid_id = me.StringField()
    capacity = me.IntField(required=True)
    starts_ts = me.FloatField(required=True)
    ends_ts = me.FloatField(required=True)
    hours = me.FloatField(required=True)
    state = me.StringField(default="open")
    participants = me.ListField(me.DictField())
    waitlist = me.ListField(me.DictField())
    joined = me.IntField(default=0)  # sign-ups ever: the next position
    rating_item_opened = me.BooleanField(default=False)  # the organiser's service, to rate
    organisation_id = me.StringField()  # an incubated organisation's (孵化), if it holds it
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "c:<community>|<starts>|<id>"

    def tally(self) -> dict[str, dict[str, int]]:
        return tallies.scoped(self.community_id, tallies.activity(self.participants or ()))


class Match(Aggregate):
    """A need offered to ranked candidates in turn; `next_due_ts` is the current offer's
    deadline, the PollTimer's one indexed float."""

    meta = {"db_alias": ALIAS, "collection": "matches",
            "indexes": ["next_due_ts", "page_key", "offer_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("m"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    requested_by = me.StringField(required=True)
    resident_account_id = me.StringField()  # whose need it is (a wish's poster)
    need_kind = me.StringField(required=True)
    need_id = me.StringField(required=True)
    skill = me.StringField()
    grid_id = me.StringField()
    at_ts = me.FloatField()
    ttl = me.FloatField(required=True)
    state = me.StringField(required=True)
    candidates = me.ListField(me.DictField())
    offers = me.ListField(me.DictField())
    cursor = me.IntField(default=0)
    offered_to = me.StringField()
    next_due_ts = me.FloatField()
    accepted_by = me.StringField()
    accepted_ts = me.FloatField()
    round = me.IntField(default=0)  # fresh offer sequences after the first (re-matches)
    excluded = me.ListField(me.StringField())  # never offered again (gave the order back)
    applied = me.ListField(me.StringField())  # the last events that re-matched it (idempotence)
    # When the event that last re-matched it happened: an older claim (events of different
    # types arrive in any order) is not news about this sequence.
    rematched_at = me.FloatField()
    load_released = me.BooleanField(default=False)  # the accepted volunteer's load given back
    resolved_ts = me.FloatField()  # an order's result by the accepted volunteer (order.resolved)
    hours_logged = me.FloatField()  # an order's hours, logged with its confirmation (once)
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # the community's matches, newest first
    offer_key = me.StringField()  # the current candidate's open offers; None once answered

    def tally(self) -> dict[str, dict[str, int]]:
        return tallies.scoped(self.community_id, tallies.order(self.hours_logged))


class ListEntry(Aggregate):
    """One row of the four lists (问题 / 需求 / 资源): `matched` once a project uses it."""

    meta = {"db_alias": ALIAS, "collection": "list_entries", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("le"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    list = me.StringField(required=True)
    title = me.StringField(required=True)
    detail = me.StringField(required=True)
    issue_id = me.StringField()
    resource_kind = me.StringField()
    offered_by = me.StringField()
    state = me.StringField(default="open")
    project_id = me.StringField()
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "c:<community>:<list>|<created>|<id>"


class Project(Aggregate):
    """项目: a need with its resources, an owner unit, milestones and a publication (公示).

    A renewal (微更新, `kind` "renewal") is made from a deliberation decision instead
    (`_id` "pj-r-<decision>"), with its place and budget; its pledges and photos are whole
    bounded lists in the document (rewritten by each commit), so a pledge, the total and
    the move to funded are one write."""

    meta = {"db_alias": ALIAS, "collection": "projects",
            "indexes": ["page_key", "public_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("pj"))
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    need_id = me.StringField()  # none for a renewal
    resource_ids = me.ListField(me.StringField())
    owner_unit_id = me.StringField(required=True)
    title = me.StringField(required=True)
    milestones = me.ListField(me.DictField())
    participants = me.ListField(me.StringField())
    state = me.StringField(default="planned")
    published_ts = me.FloatField()
    completed_ts = me.FloatField()
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # the community's projects (admins)
    public_key = me.StringField()  # published ones (residents see these)
    kind = me.StringField(default="project")  # project | renewal
    topic_id = me.StringField()
    decision_id = me.StringField()
    place = me.StringField()
    building = me.StringField()
    grid_id = me.StringField()
    budget_yuan = me.IntField()
    # {id, key, donor_kind, account_id, merchant_id, donor_name, show_name, amount_yuan,
    # in_kind, pledged_ts}; `key` "pj:<project>|<ts>|<id>" pages them newest first.
    pledges = me.ListField(me.DictField())
    pledged_yuan = me.IntField(default=0)
    funded_ts = me.FloatField()
    photos = me.ListField(me.DictField())  # {id, phase, ts}

    def tally(self) -> dict[str, dict[str, int]]:
        return tallies.scoped(self.community_id, tallies.project(
            self.kind or "project", self.state, [p.get("phase") for p in self.photos or []]))


class VolunteerGrid(me.Document):
    """The read model of dispatch's grids (`grid.changed` / `grid.removed`): the tree only."""

    meta = {"db_alias": ALIAS, "collection": "grid_views", "indexes": ["changed_ts"]}
    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    parent_id = me.StringField()
    depth = me.IntField(required=True)
    removed = me.BooleanField(default=False)
    version = me.IntField(required=True)
    changed_ts = me.FloatField(required=True)


class Tally(me.Document):
    """Figures (volunteers by skill, open wishes, hours in minutes): read, never counted.
    Each commit of a profile, wish or activity carries its difference (their `tally()`,
    `domain/tallies.py`), folded in once by services/common/counters. Keys are flat
    ("skill:plumbing", "open_wishes", ...), so the row is read raw."""

    meta = {"db_alias": ALIAS, "collection": "tallies", "strict": False}
    id = me.StringField(primary_key=True)  # "*" or "c:<community>"

    @classmethod
    def figures(cls, scope: str) -> dict[str, float]:
        row = cls._get_collection().find_one({"_id": scope}) or {}
        # `applied`: the ids of the differences being folded in (services/common/counters)
        return {k: v or 0 for k, v in row.items() if k not in ("_id", "applied")}


class VolunteerPolicy(Aggregate):
    """A community's settings (`policy.py` reads them with their defaults); an admin's
    change carries its audit event (the outbox)."""

    meta = {"db_alias": ALIAS, "collection": "policies"}
    id = me.StringField(primary_key=True)  # the community id
    offer_minutes = me.IntField()
    order_hours = me.FloatField()
    order_hours_max = me.FloatField()
    changed_by = me.StringField()
    changed_ts = me.FloatField()


class VolunteerMark(me.Document):
    """One-off marks (the grid backfill done)."""

    meta = {"db_alias": ALIAS, "collection": "marks"}
    id = me.StringField(primary_key=True)


class CareHours(Aggregate):
    """A volunteer's hours of a care service given (一老一小, care's `care.delivered`), once
    per booking and round (`h-care-<booking>-<round>`: a redelivery finds it by `_id`)."""

    meta = {"db_alias": ALIAS, "collection": "care_hours"}
    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    account_id = me.StringField(required=True)
    booking_id = me.StringField(required=True)
    hours = me.FloatField(required=True)
    logged_ts = me.FloatField(required=True)


for _counted in (Profile, Wish, Activity, Match, Project):
    _counted.tally_document = Tally

DOCUMENTS = [Profile, Wish, Activity, Match, ListEntry, Project, VolunteerGrid, Tally,
             VolunteerMark, VolunteerPolicy, CareHours]
