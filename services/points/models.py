"""Points' documents (database `<prefix>points`).

The ledger is `Posting` (append-only: a posting's amount, sides, reason and source never
change; only its state moves new → posted | refused) and `Account` (one balance each,
moved by guarded `$inc` writes that also record the posting id in `recent`, so each side
applies once). `ledger.py` has the protocol and why it needs no multi-document transaction.
"""

from __future__ import annotations

import uuid

import mongoengine as me

from services.common.mirror import Mirror
from services.common.store import Aggregate

ALIAS = "points"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class CommunityScope(me.Document):
    """Identity's communities as points needs them (scope checks): a read model."""

    meta = {"db_alias": ALIAS, "collection": "communities"}
    id = me.StringField(primary_key=True)
    street_id = me.StringField(required=True)
    district_id = me.StringField(required=True)


class Policy(me.Document):
    """Per community: the manual-award threshold (maker/checker above it), code lifetime."""

    meta = {"db_alias": ALIAS, "collection": "policies", "indexes": ["expiry_due_ts"]}
    id = me.StringField(primary_key=True)  # community id
    award_threshold = me.IntField(default=100)
    redemption_ttl_seconds = me.FloatField(default=900.0)
    expire_after_years = me.IntField(default=1)  # earned in year Y: gone at the end of Y+1
    expiry_due_ts = me.FloatField()  # the next year end to expire at (the timer's float)
    expiry_cursor = me.StringField()  # the accounts page the run in progress reached


class Account(me.Document):
    """One balance. `recent`: ids of postings applied here whose posting is not yet marked
    posted ("!<id>": a debit refused here), so a retried side finds itself done."""

    meta = {"db_alias": ALIAS, "collection": "accounts", "strict": False,
            "indexes": ["page_key", "rank_key"]}
    id = me.StringField(primary_key=True)  # acct:<community>:<kind>[:<owner>]
    community_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    owner_id = me.StringField()
    balance = me.IntField(default=0)
    earned = me.IntField(default=0)  # residents: earned and awarded (the ranking's figure)
    spent = me.IntField(default=0)  # hold accounts: redeemed
    expired = me.IntField(default=0)  # residents: sent to the expiry sink
    recent = me.ListField(me.StringField())
    page_key = me.StringField()  # "<community>|<0>|<id>": verify walks a community's accounts
    rank_key = me.StringField()  # "<community>|<inverted earned>|<id>": the ranking
    mask = me.StringField(default="initial")
    display_name = me.StringField()


class Posting(me.Document):
    """A movement of `amount` from `debit` to `credit`. `open_ts` is set while it is being
    applied (the sweeper's indexed float); the three keys page the ledger by community and
    by account side."""

    meta = {"db_alias": ALIAS, "collection": "postings",
            "indexes": [{"fields": ["key"], "unique": True}, "open_ts", "page_key",
                        "debit_key", "credit_key"]}
    id = me.StringField(primary_key=True)
    key = me.StringField(required=True)  # the idempotency key it was made with
    community_id = me.StringField(required=True)
    debit = me.StringField(required=True)
    credit = me.StringField(required=True)
    amount = me.IntField(required=True)
    reason = me.StringField(required=True)
    source = me.StringField(required=True)
    state = me.StringField(required=True)
    created_ts = me.FloatField(required=True)
    open_ts = me.FloatField()
    page_key = me.StringField()
    debit_key = me.StringField()
    credit_key = me.StringField()


class Rule(Aggregate):
    """An earning rule; an admin's change of it carries its audit event (the outbox)."""

    meta = {"db_alias": ALIAS, "collection": "rules", "indexes": ["community_id"]}
    id = me.StringField(primary_key=True)  # <community>|<kind>
    community_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    points = me.IntField(required=True)
    daily_cap = me.IntField(default=0)
    weekly_cap = me.IntField(default=0)
    active = me.BooleanField(default=True)


class EarnTally(me.Document):
    """A person's earnings under one rule in one ISO week, moved by compare-and-set on
    `version`: `grants` ("<source>=<points>") make a redelivered event find its grant."""

    meta = {"db_alias": ALIAS, "collection": "earn_tallies", "strict": False}
    id = me.StringField(primary_key=True)  # <community>|<user>|<kind>|<iso week>
    version = me.IntField(default=0)
    week = me.IntField(default=0)
    days = me.DictField()  # "YYYY-MM-DD" → points
    grants = me.ListField(me.StringField())


class ExpiryTally(me.Document):
    """What the expiry run and the releases after a year end decided to expire of one
    resident account, moved by compare-and-set on `version`: `decided` is the total and
    `grants` (posting id → points) make a repeated decision find its amount (expiry.py)."""

    meta = {"db_alias": ALIAS, "collection": "expiry_tallies", "strict": False}
    id = me.StringField(primary_key=True)  # the resident account's id
    version = me.IntField(default=0)
    decided = me.IntField(default=0)
    grants = me.DictField()


class Award(Aggregate):
    """A manual award: made by one admin, approved by another above the threshold."""

    meta = {"db_alias": ALIAS, "collection": "awards", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    user_id = me.StringField(required=True)
    points = me.IntField(required=True)
    reason = me.StringField(required=True)
    state = me.StringField(required=True)
    made_by = me.StringField(required=True)
    approved_by = me.StringField()
    posting_id = me.StringField()
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()


class Partner(Aggregate):
    """A partner merchant (社区合伙人) in one community; a merchant may have several. Inserted
    with its onboarding's audit event."""

    meta = {"db_alias": ALIAS, "collection": "partners", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)  # <community>|<merchant>
    community_id = me.StringField(required=True)
    merchant_id = me.StringField(required=True)
    name = me.StringField(required=True)
    modes = me.ListField(me.StringField())
    onboarded_by = me.StringField(required=True)
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()


class Offer(Aggregate):
    """`holds`: redemptions holding a unit (bounded by the stock); `stock` what is left.
    Inserted with an admin's audit event (its later moves are raw guarded updates)."""

    meta = {"db_alias": ALIAS, "collection": "offers", "strict": False,
            "indexes": ["page_key", "merchant_key"]}
    id = me.StringField(primary_key=True, default=lambda: new_id("of"))
    community_id = me.StringField(required=True)
    merchant_id = me.StringField(required=True)
    title = me.StringField(required=True)
    description = me.StringField(default="")
    price = me.IntField(required=True)
    stock = me.IntField(required=True)
    taken = me.IntField(default=0)
    holds = me.ListField(me.StringField())
    valid_from_ts = me.FloatField(required=True)
    valid_until_ts = me.FloatField(required=True)
    per_resident_limit = me.IntField(default=1)
    created_ts = me.FloatField(required=True)
    page_key = me.StringField()
    merchant_key = me.StringField()


class Allowance(me.Document):
    """A resident's redemptions counting against an offer's per-resident limit."""

    meta = {"db_alias": ALIAS, "collection": "allowances", "strict": False}
    id = me.StringField(primary_key=True)  # <offer>|<resident>
    n = me.IntField(default=0)
    ids = me.ListField(me.StringField())


class Redemption(Aggregate):
    """兑换: pending → issued → confirmed | cancelled | expired (failed: a guard refused).
    `settled` is False while what the state implies (postings, stock) is still to be done;
    `next_due_ts` is the timer's indexed float (expiry, or the settlement's retry)."""

    meta = {"db_alias": ALIAS, "collection": "redemptions", "strict": False, "indexes": [
        {"fields": ["code"], "unique": True, "sparse": True}, "next_due_ts", "resident_key",
        "merchant_key", "settle_key"]}
    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    offer_id = me.StringField(required=True)
    merchant_id = me.StringField(required=True)
    resident_id = me.StringField(required=True)
    price = me.IntField(required=True)
    state = me.StringField(required=True)
    code = me.StringField()
    reason = me.StringField()
    created_ts = me.FloatField(required=True)
    expires_ts = me.FloatField()
    confirmed_ts = me.FloatField()
    next_due_ts = me.FloatField()
    settled = me.BooleanField(default=False)
    resident_key = me.StringField()
    merchant_key = me.StringField()
    settle_key = me.StringField()  # "<merchant>|<community>|<confirmed epoch>|<id>"


class OrderCredit(me.Document):
    """Who resolved a work order (dispatch's order.resolved) and whether it was confirmed:
    the two events arrive on separate queues, so whichever comes second pays."""

    meta = {"db_alias": ALIAS, "collection": "order_credits"}
    id = me.StringField(primary_key=True)  # the order id
    community_id = me.StringField(required=True)
    responder_id = me.StringField()
    role = me.StringField()
    confirmed = me.BooleanField(default=False)


class PointsMark(me.Document):
    """Where a round-robin job stopped last run (it resumes there)."""

    meta = {"db_alias": ALIAS, "collection": "sweep_marks"}
    id = me.StringField(primary_key=True)
    after = me.StringField(default="")


# Class names are unique across services: mongoengine registers documents by class name,
# and a second `Community` would hide identity's from `disconnect` in a shared test process.
class CareCharge(Aggregate):
    """A care booking's price in points (`cc-<booking>-<round>`): locked, then spent at
    delivery or given back on a cancel; `refused` when too few, with its event."""

    meta = {"db_alias": ALIAS, "collection": "care_charges"}
    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    resident_id = me.StringField(required=True)
    booking_id = me.StringField(required=True)
    round = me.IntField(required=True)
    price = me.IntField(required=True)
    state = me.StringField(required=True)  # locked | refused | spent | released | void
    changed_ts = me.FloatField()


DOCUMENTS = [PointsMark, CommunityScope, Policy, Account, Posting, Rule, EarnTally, ExpiryTally,
             Award, Partner, Offer, Allowance, Redemption, OrderCredit, CareCharge,
             *Mirror("points", "account").documents]  # identity's accounts: residents.py
