"""The incubation service's documents (database `<prefix>incubation`).

An organisation is one aggregate: its process (the copy of the version it started under),
its completed steps, members, resources, evidence and sign-offs are whole lists and dicts
rewritten with `$set` by each version-conditioned commit. The counters
(`IncubationCounts`, by stage and kind per community) move with the commits that change
them. `KnownProject` is the read model of volunteers' projects (from its events), so a
link is checked without a call on the write path.
"""

from __future__ import annotations

import uuid

import mongoengine as me

from services.common.store import Aggregate

ALIAS = "incubation"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class IncubationCounts(me.DynamicDocument):
    """Organisations by stage and kind, per `c:<community>`, `s:<street>`, `d:<district>`."""

    meta = {"db_alias": ALIAS, "collection": "counts"}
    id = me.StringField(primary_key=True)


class Organisation(Aggregate):
    """社会组织: registered in the first stage, graduated (出壳) after the last step."""

    meta = {"db_alias": ALIAS, "collection": "organisations", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    name = me.StringField(required=True)
    purpose = me.StringField(required=True)
    founder_account_id = me.StringField(required=True)
    process_version = me.IntField(required=True)
    process = me.ListField(me.DictField())  # the stages as they were at registration
    done = me.ListField(me.DictField())  # {step, stage, ts, by}, in order
    stage = me.StringField(required=True)
    step = me.StringField()
    members = me.ListField(me.DictField())  # {account_id, name, phone, role, joined_ts}
    resources = me.ListField(me.DictField())
    project_ids = me.ListField(me.StringField())
    evidence = me.DictField()  # step → {text, by, ts}
    signoffs = me.DictField()  # step → {by, ts, note}
    activities_held = me.IntField(default=0)
    held_activity_ids = me.ListField(me.StringField())  # the latest ones (domain.HELD_KEPT)
    created_ts = me.FloatField(required=True)
    graduated_ts = me.FloatField()
    page_key = me.StringField()  # "c:<community>|<created>|<id>": the community's list

    def tally(self) -> dict[str, dict[str, int]]:
        mine = {"organisations": 1, f"stage_{self.stage}": 1, f"kind_{self.kind}": 1}
        scopes = [f"c:{self.community_id}", f"d:{self.district_id}"]
        if self.street_id:
            scopes.append(f"s:{self.street_id}")
        return {scope: dict(mine) for scope in scopes}


Organisation.tally_document = IncubationCounts


class Process(Aggregate):
    """A community's configured process (absent: the default, version 1)."""

    meta = {"db_alias": ALIAS, "collection": "processes"}
    id = me.StringField(primary_key=True)  # the community's id
    district_id = me.StringField(required=True)
    street_id = me.StringField()
    community_id = me.StringField(required=True)
    number = me.IntField(required=True)
    stages = me.ListField(me.DictField())
    changed_ts = me.FloatField()


class KnownProject(me.Document):
    """A project of the four lists as volunteers' events told it (project.started/.completed)."""

    meta = {"db_alias": ALIAS, "collection": "known_projects"}
    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    owner_unit_id = me.StringField()
    title = me.StringField()
    state = me.StringField(default="started")


DOCUMENTS = [IncubationCounts, Organisation, Process, KnownProject]
