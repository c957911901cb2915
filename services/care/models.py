"""The care service's documents (database `<prefix>care`).

A session's seats are one counter document guarded by one conditional single-document
update (`seats.py`): `free` and the holders' keys move together, so concurrent bookings
never pass the capacity and one holder holds one seat. A booking is an aggregate whose id is
its idempotency key (the session and the holder). An elderly person living alone (`Elder`)
carries the visit rota and its deadline `next_due_ts` (the PollTimer's indexed float).
"""

from __future__ import annotations

import hashlib
import uuid

import mongoengine as me

from services.common.mirror import Mirror
from services.common.store import Aggregate

ALIAS = "care"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def booking_id(session_id: str, holder: str) -> str:
    """One booking per session and holder (`<account>/<beneficiary ref>`): a double click,
    a retry or a second replica all name the same document."""
    return "bk-" + hashlib.sha1(f"{session_id}|{holder}".encode()).hexdigest()[:20]


class CareOffering(Aggregate):
    """A service of the community's catalogue (一老一小)."""

    meta = {"db_alias": ALIAS, "collection": "services", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    title = me.StringField(required=True)
    detail = me.StringField(required=True)
    provider_kind = me.StringField(required=True)
    provider_name = me.StringField(required=True)
    provider_account_id = me.StringField()
    eligibility = me.DictField()
    capacity = me.IntField(required=True)
    price_points = me.IntField(default=0)
    price_money_cents = me.IntField(default=0)
    hours = me.FloatField()
    active = me.BooleanField(default=True)
    added_by = me.StringField(required=True)
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "c:<community>|<created>|<id>": the public catalogue


class CareSession(Aggregate):
    """A session of a service and its seats: `free` and `holders` move in one conditional
    update (never a read-then-write), beside the version; an aggregate for the outbox of the
    admin's act that opened it (audit)."""

    meta = {"db_alias": ALIAS, "collection": "sessions", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)
    service_id = me.StringField(required=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    starts_ts = me.FloatField(required=True)
    ends_ts = me.FloatField(required=True)
    capacity = me.IntField(required=True)
    free = me.IntField(required=True)
    holders = me.ListField(me.StringField())  # unindexed: a multikey index breaks nx finds
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()  # "s:<service>|<starts>|<id>"


class Booking(Aggregate):
    meta = {"db_alias": ALIAS, "collection": "bookings",
            "indexes": ["page_key", "session_key", "provider_key", "release_pending"]}
    id = me.StringField(primary_key=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    service_id = me.StringField(required=True)
    session_id = me.StringField(required=True)
    account_id = me.StringField(required=True)
    holder = me.StringField(required=True)
    beneficiary = me.DictField()  # {ref, name, age, living_alone}
    state = me.StringField(required=True, default="booked")
    round = me.IntField(default=1)
    booked_ts = me.FloatField(required=True)
    confirmed_ts = me.FloatField()
    delivered_ts = me.FloatField()
    cancelled_ts = me.FloatField()
    release_pending = me.BooleanField(default=False)  # cancelled, the seat not freed yet
    cancel_reason = me.StringField()  # a system cancel's (points refused the charge)
    price_points = me.IntField(default=0)  # the service's price when booked (points locks it)
    hours = me.FloatField()
    delivery_note = me.StringField()
    page_key = me.StringField()  # "a:<account>|<booked>|<id>": the resident's bookings
    session_key = me.StringField()  # "s:<session>|<booked>|<id>": the session's roster
    provider_key = me.StringField()  # "p:<provider account>|<booked>|<id>"


class Elder(Aggregate):
    """独居老人 and the visit rota. `next_due_ts` is the awaited visit's deadline (its due
    time plus the grace), while it has not been declared missed."""

    meta = {"db_alias": ALIAS, "collection": "elders",
            "indexes": ["page_key", "next_due_ts", "escalation_key"]}
    id = me.StringField(primary_key=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    name = me.StringField(required=True)
    age = me.IntField(required=True)
    address = me.StringField(required=True)
    phone = me.StringField()
    emergency_contact = me.StringField(default="")
    grid_id = me.StringField()
    notes = me.StringField(default="")  # `note` is the aggregate's history method
    registered_by = me.StringField(required=True)
    grid_worker_id = me.StringField()
    volunteer_ids = me.ListField(me.StringField())
    every_days = me.IntField()
    grace_seconds = me.FloatField()
    cycle = me.IntField(default=0)
    visit_due_ts = me.FloatField()
    cycle_missed = me.BooleanField(default=False)
    missed = me.IntField(default=0)
    level = me.IntField(default=0)  # how far the missed visit went up (domain.LADDER)
    escalated_ts = me.FloatField()
    escalate_seconds = me.FloatField()
    escalation_key = me.StringField()  # "s:<district>:<street>|<escalated>|<id>", street+
    visits = me.IntField(default=0)
    last_visit_ts = me.FloatField()
    last_visit_id = me.StringField()
    last_visitor_id = me.StringField()
    created_ts = me.FloatField(required=True)
    next_due_ts = me.FloatField()
    page_key = me.StringField()  # "c:<community>|<created>|<id>": the admin's list


class Visit(me.Document):
    """One visit recorded (`<elder>:<cycle>:<visitor>`: a repeated record is one visit)."""

    meta = {"db_alias": ALIAS, "collection": "visits", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)
    elder_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    visitor_id = me.StringField(required=True)
    cycle = me.IntField(required=True)
    visited_ts = me.FloatField(required=True)
    well = me.BooleanField(default=True)
    note = me.StringField(default="")
    late = me.BooleanField(default=False)
    page_key = me.StringField()  # "e:<elder>|<visited>|<id>"


class RotaSlot(me.Document):
    """A visitor's entry in the rotas they serve (`<visitor>|<elder>`): their own list. The
    elder's `volunteer_ids` decide access; a stale slot only lists an id that is refused."""

    meta = {"db_alias": ALIAS, "collection": "rota_slots", "indexes": ["visitor_key"]}
    id = me.StringField(primary_key=True)
    elder_id = me.StringField(required=True)
    visitor_key = me.StringField(required=True)  # "v:<visitor>|<created>|<elder>"


Elder.history_document = Visit

DOCUMENTS = [CareOffering, CareSession, Booking, Elder, Visit, RotaSlot,
             *Mirror("care", "grid_worker").documents,  # identity's accounts: visitors.py
             *Mirror("care", "volunteer").documents]
