"""Organisation entrypoints: register, read, the community's list, and the checklist (a
step's evidence, the admin's sign-off, the step completed).

Every change goes through the commit frame with a pure rule of `domain.py`; an admin's act
carries its `audit.recorded` event in the same commit (services/common/audit.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from nameko.rpc import rpc

from services.common import access, audit
from services.common.aggregate import Committed, Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.incubation import (
    EvidenceIn,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OrganisationRegistered,
    SignOffIn,
)
from services.common.errors import InvalidInput
from services.common.paging import PageQuery, fetch
from services.common.rpc import as_caller, parse, replies
from services.incubation import domain, processes
from services.incubation.models import Organisation, new_id
from services.incubation.views import admin_of, find, founder_or_admin, summary, view

FOUNDERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker)
# The fields an act shows in the audit log (never members' contact details or texts).
AUDITED = frozenset({"stage", "done", "signoffs", "project_ids", "founder_account_id"})


def update(who: Caller, org_id: str, decide: Callable[[Organisation, float], Decision | None],
           action: str | None = None) -> Committed[Organisation]:
    """A change of the organisation; with `action`, an admin's carries `organisation.<action>`
    in the audit log, naming only the checklist's own fields."""

    def decided(org: Organisation, _at: object) -> Decision | None:
        made = decide(org, time.time())
        if action is None or made is None:
            return made
        shown = {k: v for k, v in made.changes.items() if k in AUDITED}
        before = audit.fields_of(org, shown)
        if "done" in shown:  # the steps completed, not the whole rows
            shown["done"] = [row["step"] for row in shown["done"]]
            before["done"] = [row["step"] for row in org.done or ()]
        if "members" in made.changes:  # how many, never who or their contact
            shown["members"] = len(made.changes["members"])
            before["members"] = len(org.members or ())
        return audit.attach(made, who, org, f"organisation.{action}", "organisation",
                            before=before, after=shown)

    return change(lambda: Organisation.objects.get(id=org_id), decided, who,
                  derive=domain.derive)


def register(who: Caller, spec: OrganisationIn) -> Committed[Organisation]:
    place = access.home(who, spec.community_id)
    if who.role is Role.community_admin or who.role is Role.system:
        if not spec.founder_account_id:
            raise InvalidInput("the admin names the founder",
                               {"founder_account_id": "required"})
        founder = spec.founder_account_id
    else:  # a resident founds their own organisation (发起)
        if spec.founder_account_id not in (None, who.user_id):
            raise InvalidInput("one founds one's own organisation",
                               {"founder_account_id": "must be yourself"})
        founder = who.user_id
    version, stages = processes.current(place.community_id)
    now = time.time()
    org = Organisation(
        id=new_id("org"), district_id=place.district_id, street_id=place.street_id,
        community_id=place.community_id, kind=spec.kind.value, name=spec.name,
        purpose=spec.purpose, founder_account_id=founder, process_version=version,
        process=stages, stage=stages[0]["key"], created_ts=now,
        members=[{"account_id": founder, "name": spec.founder_name or "发起人",
                  "phone": None, "role": "founder", "joined_ts": now}])

    def decide(o: Organisation, _at: object) -> Decision:
        made = OrganisationRegistered(
            organisation_id=o.id, community_id=o.community_id, kind=o.kind,
            founder_account_id=o.founder_account_id, process_version=version,
            registered_ts=now)
        return audit.attach(Decision(events=[made]), who, o, "organisation.register",
                            "organisation", before={},
                            after={"name": o.name, "kind": o.kind, "stage": o.stage})

    return change(lambda: org, decide, who, derive=domain.derive)


class OrganisationEntrypoints:
    @rpc
    @replies(OrganisationOut)
    def register_organisation(self, caller: dict, data: dict) -> dict:
        """The community admin registers an organisation naming its founder; a resident
        registers one they found. It starts at the first step of the current process."""
        who = as_caller(caller)
        who.require_role(Role.community_admin, *FOUNDERS)
        done = register(who, parse(OrganisationIn, data))
        return view(who, done.doc)

    @rpc
    @replies(OrganisationOut)
    def get_organisation(self, caller: dict, organisation_id: str) -> dict:
        """An organisation's checklist: each step, what it requires, what it lacks."""
        who = as_caller(caller)
        return view(who, find(who, organisation_id))

    @rpc
    @replies(OrganisationPage)
    def list_organisations(self, caller: dict, community_id: str | None = None,
                           limit: int | None = None, cursor: str | None = None) -> dict:
        """The community's organisations, newest first: stage, step and what each lacks."""
        who = as_caller(caller)
        who.require_role(Role.community_admin, *FOUNDERS)
        place = access.home(who, community_id)
        query = PageQuery.of(limit, cursor)
        docs, nxt = fetch(Organisation.objects, "page_key", f"c:{place.community_id}", query)
        return {"items": [summary(d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(OrganisationOut)
    def complete_step(self, caller: dict, organisation_id: str, step: str) -> dict:
        """The community admin completes the next step (in order, its requirements met)."""
        who = as_caller(caller)
        org = admin_of(who, organisation_id)
        done = update(who, org.id, lambda o, now: domain.complete(o, str(step), who.user_id,
                                                                  now), "complete_step")
        return view(who, done.doc)

    @rpc
    @replies(OrganisationOut)
    def sign_off_step(self, caller: dict, organisation_id: str, step: str, data: dict) -> dict:
        """The community admin's sign-off a step requires (备案, 评估, 出壳)."""
        who = as_caller(caller)
        spec = parse(SignOffIn, data)
        org = admin_of(who, organisation_id)
        done = update(who, org.id, lambda o, now: domain.sign_off(o, str(step), spec.note,
                                                                  who.user_id, now), "sign_off")
        return view(who, done.doc)

    @rpc
    @replies(OrganisationOut)
    def submit_evidence(self, caller: dict, organisation_id: str, step: str,
                        data: dict) -> dict:
        """The founder (or the admin) records a step's evidence: the training, the charter."""
        who = as_caller(caller)
        spec = parse(EvidenceIn, data)
        org = founder_or_admin(who, organisation_id)
        done = update(who, org.id, lambda o, now: domain.submit_evidence(
            o, str(step), spec.text, who.user_id, now), "submit_evidence")
        return view(who, done.doc)
