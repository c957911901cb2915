"""The mediation service's documents (database `<prefix>mediation`).

A case is one aggregate: its parties and meetings are whole lists rewritten with `$set` by
each version-conditioned commit (never `$push` of sub-documents); its follow-up deadline is
`next_due_ts`, an indexed float the PollTimer ranges on. The counters (`MediationCounts`)
move with the commits that change what they count (services/common/counters).
"""

from __future__ import annotations

import uuid

import mongoengine as me

from services.common.store import Aggregate

ALIAS = "mediation"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def case_id_for_issue(issue_id: str) -> str:
    """A case from an issue has the issue's id: a redelivered `issue.triaged` finds it."""
    return f"md-{issue_id}"


class MediationCounts(me.DynamicDocument):
    """Cases by kind, state and outcome, agreements and their seconds, follow-ups, per
    `c:<community>`, `s:<street>` and `d:<district>`: moved by the cases' commits."""

    meta = {"db_alias": ALIAS, "collection": "counts"}
    id = me.StringField(primary_key=True)


class MediationCase(Aggregate):
    """矛盾纠纷调解: open → mediating → agreement_pending → agreed → follow_up_due → closed,
    or referred / closed without agreement (domain.py)."""

    meta = {"db_alias": ALIAS, "collection": "cases",
            "indexes": ["page_key", "mediator_key", "next_due_ts"]}
    id = me.StringField(primary_key=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    grid_id = me.StringField()
    kind = me.StringField(required=True)
    source = me.StringField(required=True)
    issue_id = me.StringField()
    summary = me.StringField(default="")
    opened_by = me.StringField(required=True)
    parties = me.ListField(me.DictField())  # {party_id, name, account_id, phone, address,
    #                                          consent, consent_ts, signed}
    state = me.StringField(required=True, default="open")
    outcome = me.StringField()
    mediator_id = me.StringField()
    match_id = me.StringField()
    requests = me.IntField(default=0)  # mediator requests made (the next request's n)
    mediator_search = me.StringField()
    meetings = me.ListField(me.DictField())
    agreement_text = me.StringField()
    follow_up_ts = me.FloatField()
    follow_up_fired_ts = me.FloatField()
    follow_up_kept = me.BooleanField()
    referral_to = me.StringField()
    close_note = me.StringField()
    rating_ids = me.ListField(me.StringField())  # item.rated folded once each
    rating_total = me.IntField(default=0)
    created_ts = me.FloatField(required=True)
    agreed_ts = me.FloatField()
    closed_ts = me.FloatField()
    next_due_ts = me.FloatField()  # the follow-up, while it has not fired
    page_key = me.StringField()  # "c:<community>|<created>|<id>": the admin's list
    mediator_key = me.StringField()  # "m:<mediator>|<created>|<id>": the mediator's list

    def tally(self) -> dict[str, dict[str, int]]:
        mine: dict[str, int] = {"cases": 1, f"kind_{self.kind}": 1, f"state_{self.state}": 1}
        if self.outcome:
            mine[f"outcome_{self.outcome}"] = 1
        if self.agreed_ts:
            mine["agreements"] = 1
            mine["agreement_seconds"] = int(self.agreed_ts - self.created_ts)
        if self.follow_up_fired_ts:
            mine["follow_ups_due"] = 1
        if self.follow_up_kept is not None:
            mine["follow_ups_kept" if self.follow_up_kept else "follow_ups_broken"] = 1
        scopes = [f"c:{self.community_id}", f"d:{self.district_id}"]
        if self.street_id:
            scopes.append(f"s:{self.street_id}")
        return {scope: dict(mine) for scope in scopes}


MediationCase.tally_document = MediationCounts

DOCUMENTS = [MediationCounts, MediationCase]
