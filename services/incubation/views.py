"""Who may see and act on an organisation, and how it reads.

The community's people (residents, volunteers, operators, grid workers, its admin) and the
admins above it (street, district) read its organisations: name, kind, purpose, where each
stands and what it lacks. Members' contact details are for the community admin and the
founder only (the members page); evidence texts likewise. Anyone of another community, a
merchant, a department or ops gets the 404 of a missing organisation.
"""

from __future__ import annotations

from typing import Any

from services.common import access
from services.common.caller import Caller, Role
from services.common.contracts.incubation import (
    OrganisationOut,
    OrganisationSummary,
    RequirementOut,
    StepOut,
)
from services.common.errors import Forbidden, NotFound
from services.incubation import domain
from services.incubation.models import Organisation

NO_RECORDS = (Role.merchant, Role.department, Role.ops, Role.app)


def readable(who: Caller, org: Organisation) -> bool:
    return who.role not in NO_RECORDS and access.sees(who, org)


def is_admin(who: Caller, org: Organisation) -> bool:
    return who.role is Role.system or (who.district_id == org.district_id
                                       and access.is_admin_of(who, org))


def is_founder(who: Caller, org: Organisation) -> bool:
    return (who.user_id == org.founder_account_id and who.district_id == org.district_id
            and who.community_id == org.community_id)


def find(who: Caller, org_id: str) -> Organisation:
    org = Organisation.objects(id=str(org_id)).first()
    if org is None or not readable(who, org):
        raise NotFound("no such organisation", {"organisation_id": "unknown"})
    return org


def admin_of(who: Caller, org_id: str) -> Organisation:
    org = find(who, org_id)
    if not is_admin(who, org):
        raise Forbidden("the community admin does this", {"role": who.role.value})
    return org


def founder_or_admin(who: Caller, org_id: str) -> Organisation:
    org = find(who, org_id)
    if not (is_admin(who, org) or is_founder(who, org)):
        raise Forbidden("the organisation's founder or the community admin does this",
                        {"role": who.role.value})
    return org


def _steps(org: Organisation) -> list[StepOut]:
    done = {row["step"]: row for row in org.done or ()}
    out = []
    for step in domain.steps(org):
        reqs = [RequirementOut(kind=r["kind"], need=int(r.get("min", 1)), have=got, met=met,
                               text=domain.describe(r, got))
                for r, got, met in domain.checks(org, step)]
        row = done.get(step.key) or {}
        out.append(StepOut(stage=step.stage, key=step.key, name=step.name,
                           done_ts=row.get("ts"), done_by=row.get("by"), requirements=reqs))
    return out


def view(who: Caller, org: Organisation) -> dict[str, Any]:
    privileged = is_admin(who, org) or is_founder(who, org)
    out = OrganisationOut(
        id=org.id, community_id=org.community_id, kind=org.kind, name=org.name,
        purpose=org.purpose, founder_account_id=org.founder_account_id, stage=org.stage,
        step=org.step, lacks=domain.lacks(org), process_version=org.process_version,
        steps=_steps(org), members=len(org.members or ()),
        activities_held=int(org.activities_held or 0),
        resources=[dict(r) for r in org.resources or ()],
        project_ids=list(org.project_ids or ()),
        evidence={k: v["text"] for k, v in (org.evidence or {}).items()} if privileged else {},
        created_ts=org.created_ts, graduated_ts=org.graduated_ts, version=org.version)
    return out.model_dump(mode="json")


def summary(org: Organisation) -> dict[str, Any]:
    return OrganisationSummary(
        id=org.id, kind=org.kind, name=org.name, purpose=org.purpose, stage=org.stage,
        step=org.step, lacks=domain.lacks(org), members=len(org.members or ()),
        activities_held=int(org.activities_held or 0)).model_dump(mode="json")
