"""The incubation checklist as pure rules: what each step's requirements see in the
organisation's recorded facts, which step is next, and what completing a step does.

A step is completed only when every step before it is done (else 409 naming the step and
the steps before it still open) and its requirements are met (else 409 naming the step and
what is missing); a step done already is nothing to do (a concurrent second completion, a
retry). The last step of a stage enters the next stage (`organisation.stage_reached`); the
last step of the last stage graduates it (出壳, `organisation.graduated`). No I/O here.
"""

from __future__ import annotations

from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.incubation import (
    MAX_MEMBERS,
    MAX_PROJECTS,
    MAX_RESOURCES,
    OrganisationGraduated,
    OrganisationStageReached,
    OrganisationStepCompleted,
)
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.paging import page_key
from services.incubation.process import (
    GRADUATED,
    Step,
    accepts_evidence,
    needs_signoff,
    stage_after,
    steps_of,
)

HELD_KEPT = 500  # the activity ids remembered against a late redelivery (the count is whole)


def have(org: Any, requirement: dict[str, Any], step: Step) -> int:
    """The recorded fact a requirement is checked against."""
    kind = requirement["kind"]
    if kind == "founder":
        return int(bool(org.founder_account_id))
    if kind == "purpose":
        return int(bool((org.purpose or "").strip()))
    if kind == "members":
        return len(org.members or ())
    if kind == "activities":
        return int(org.activities_held or 0)
    if kind == "resources":
        return len(org.resources or ())
    if kind == "projects":
        return len(org.project_ids or ())
    if kind == "evidence":
        return int(step.key in (org.evidence or {}))
    if kind == "signoff":
        return int(step.key in (org.signoffs or {}))
    return 0


def describe(requirement: dict[str, Any], got: int) -> str:
    kind, need = requirement["kind"], int(requirement.get("min", 1))
    if kind in ("members", "activities", "resources", "projects"):
        return f"{kind}: {got} of {need}"
    return {"founder": "founder: none named", "purpose": "purpose: not stated",
            "evidence": "evidence: not submitted",
            "signoff": "signoff: not signed off by the community admin"}[kind]


def checks(org: Any, step: Step) -> list[tuple[dict[str, Any], int, bool]]:
    out = []
    for r in step.requires:
        got = have(org, r, step)
        out.append((r, got, got >= int(r.get("min", 1))))
    return out


def unmet(org: Any, step: Step) -> list[str]:
    return [describe(r, got) for r, got, met in checks(org, step) if not met]


def steps(org: Any) -> list[Step]:
    return steps_of(list(org.process))


def done_keys(org: Any) -> set[str]:
    return {row["step"] for row in org.done or ()}


def next_step(org: Any) -> Step | None:
    finished = done_keys(org)
    return next((s for s in steps(org) if s.key not in finished), None)


def lacks(org: Any) -> list[str]:
    step = next_step(org)
    return [] if step is None else unmet(org, step)


def find_step(org: Any, step_key: str) -> Step:
    found = next((s for s in steps(org) if s.key == step_key), None)
    if found is None:
        raise NotFound("no such step in the organisation's process", {"step": "unknown"})
    return found


def complete(org: Any, step_key: str, by: str, now: float) -> Decision | None:
    """Complete `step_key`: in order, with its requirements met; done already: nothing."""
    step = find_step(org, step_key)
    finished = done_keys(org)
    if step.key in finished:
        return None
    before = [s.key for s in steps(org)[:steps(org).index(step)] if s.key not in finished]
    if before:
        raise Conflict(f"step {step.key} comes after steps not done yet",
                       {"step": step.key, "missing": "steps first: " + ", ".join(before)})
    missing = unmet(org, step)
    if missing:
        raise Conflict(f"step {step.key} lacks what it requires",
                       {"step": step.key, "missing": "; ".join(missing)})
    done = [*(dict(r) for r in org.done or ()),
            {"step": step.key, "stage": step.stage, "ts": now, "by": by}]
    events: list[Any] = [OrganisationStepCompleted(
        organisation_id=org.id, community_id=org.community_id, stage=step.stage,
        step=step.key, completed_by=by, completed_ts=now)]
    changes: dict[str, Any] = {"done": done}
    if step.last_of_stage:
        reached = stage_after(list(org.process), step.stage)
        changes["stage"] = reached
        if reached == GRADUATED:
            changes["graduated_ts"] = now
            events.append(OrganisationGraduated(
                organisation_id=org.id, community_id=org.community_id, kind=org.kind,
                founder_account_id=org.founder_account_id,
                member_account_ids=[m["account_id"] for m in org.members or ()],
                graduated_ts=now))
        else:
            events.append(OrganisationStageReached(
                organisation_id=org.id, community_id=org.community_id, kind=org.kind,
                founder_account_id=org.founder_account_id, stage=reached,
                previous_stage=step.stage, reached_ts=now))
    return Decision(changes=changes, events=events)


def submit_evidence(org: Any, step_key: str, text: str, by: str, now: float) -> Decision | None:
    """The founder (or admin) records a step's evidence: the training given, the charter."""
    step = find_step(org, step_key)
    if not accepts_evidence(step):
        raise InvalidInput("this step takes no evidence", {"step": f"{step.key} takes none"})
    if step.key in done_keys(org):
        raise Conflict("the step is done", {"step": f"{step.key} is done"})
    current = (org.evidence or {}).get(step.key)
    if current and current.get("text") == text:
        return None
    evidence = {**(org.evidence or {}), step.key: {"text": text, "by": by, "ts": now}}
    return Decision(changes={"evidence": evidence})


def sign_off(org: Any, step_key: str, note: str, by: str, now: float) -> Decision | None:
    step = find_step(org, step_key)
    if not needs_signoff(step):
        raise InvalidInput("this step needs no sign-off", {"step": f"{step.key} needs none"})
    if step.key in (org.signoffs or {}):
        return None
    signoffs = {**(org.signoffs or {}), step.key: {"by": by, "ts": now, "note": note}}
    return Decision(changes={"signoffs": signoffs})


def add_member(org: Any, account_id: str, name: str, phone: str | None,
               now: float) -> Decision | None:
    rows = [dict(m) for m in org.members or ()]
    if any(m["account_id"] == account_id for m in rows):
        return None
    if len(rows) >= MAX_MEMBERS:
        raise Conflict("the organisation is full", {"account_id": f"at most {MAX_MEMBERS}"})
    rows.append({"account_id": account_id, "name": name, "phone": phone, "role": "member",
                 "joined_ts": now})
    return Decision(changes={"members": rows})


def remove_member(org: Any, account_id: str) -> Decision | None:
    rows = [dict(m) for m in org.members or ()]
    found = next((m for m in rows if m["account_id"] == account_id), None)
    if found is None:
        return None
    if found["role"] == "founder":
        raise Conflict("the founder stays a member", {"account_id": "the founder"})
    return Decision(changes={"members": [m for m in rows if m["account_id"] != account_id]})


def add_resource(org: Any, resource_id: str, spec: dict[str, Any], now: float) -> Decision:
    rows = [dict(r) for r in org.resources or ()]
    if len(rows) >= MAX_RESOURCES:
        raise Conflict("too many resources", {"resources": f"at most {MAX_RESOURCES}"})
    rows.append({**spec, "resource_id": resource_id, "added_ts": now})
    return Decision(changes={"resources": rows})


def link_project(org: Any, project: Any) -> Decision | None:
    """A project of the four lists it owns (known from volunteers' events, same community)."""
    if project is None or project.community_id != org.community_id:
        raise NotFound("no such project (yet) in the community", {"project_id": "unknown"})
    ids = list(org.project_ids or ())
    if project.id in ids:
        return None
    if len(ids) >= MAX_PROJECTS:
        raise Conflict("too many projects", {"project_id": f"at most {MAX_PROJECTS}"})
    return Decision(changes={"project_ids": [*ids, project.id]})


def activity_held(org: Any, activity_id: str, community_id: str) -> Decision | None:
    """An activity of the organisation had its first check-in: held, counted once."""
    if community_id != org.community_id or activity_id in (org.held_activity_ids or ()):
        return None
    kept = [*(org.held_activity_ids or ()), activity_id][-HELD_KEPT:]
    return Decision(changes={"held_activity_ids": kept,
                             "activities_held": int(org.activities_held or 0) + 1})


def derive(org: Any) -> None:
    """The current step's key and the community list's key."""
    step = next_step(org)
    org.step = step.key if step else None
    org.stage = step.stage if step else GRADUATED
    org.page_key = page_key(f"c:{org.community_id}", org.created_ts, org.id)
