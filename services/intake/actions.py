"""The community's and the reporter's lifecycle actions (each one transition)."""

from __future__ import annotations

from datetime import datetime

from services.common.aggregate import Decision
from services.common.caller import Caller
from services.common.contracts.intake import (
    OPEN_STATES,
    REOPEN_BY_RATING,
    IssueMerged,
    IssueReopened,
    IssueState,
    MergeIn,
    NoteIn,
    RejectIn,
    ReopenIn,
    Triage,
    TriageIn,
)
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.intake import access, domain, lifecycle, metrics, repository
from services.intake.domain import Action
from services.intake.lifecycle import transition
from services.intake.models import Issue
from services.intake.submission import triaged_event
from services.intake.views import scope_of


def _admin(caller: Caller):
    def check(issue: Issue) -> None:
        access.require_read(caller, scope_of(issue), issue.reporter_id, issue.submitted_by)
        access.require_admin(caller, scope_of(issue))
    return check


def triage(caller: Caller, issue_id: str, data: TriageIn) -> Issue:
    """Confirm or override the category's triage (三事分流, 四类事, urgency)."""
    decided: dict[str, Triage] = {}

    def extra(issue: Issue) -> tuple[dict, list]:
        category = repository.category(issue.community_id, issue.category)
        result = domain.decide_triage(Triage.model_validate(issue.triage), data)
        decided["triage"] = result
        return {"triage": result.model_dump(mode="json")}, [
            triaged_event(issue, result, category)]

    issue = transition(issue_id, Action.triage, caller, data.reason or "triaged",
                       check=_admin(caller), extra=extra)
    t = decided["triage"]
    metrics.TRIAGE_OUTCOMES.labels(t.route.value, t.issue_class.value, t.urgency.value,
                                   t.source).inc()
    return issue


def reject(caller: Caller, issue_id: str, data: RejectIn) -> Issue:
    def check(issue: Issue) -> None:
        access.require_read(caller, scope_of(issue), issue.reporter_id, issue.submitted_by)
        domain.check_may_reject(caller, data.reason, issue.reporter_id)

    def extra(issue: Issue) -> tuple[dict, list]:
        return {"reject_reason": data.reason.value}, []

    note = f"{data.reason.value}: {data.note}" if data.note else data.reason.value
    return transition(issue_id, Action.reject, caller, note, check=check, extra=extra)


def resolve(caller: Caller, issue_id: str, data: NoteIn) -> Issue:
    """The community resolves it itself (e.g. guidance given for a private matter)."""
    return transition(issue_id, Action.resolve, caller, data.note or "resolved",
                      check=_admin(caller))


def close(caller: Caller, issue_id: str, data: NoteIn) -> Issue:
    return transition(issue_id, Action.close, caller, data.note or "closed",
                      check=_admin(caller))


def _staff_reopen(caller: Caller):
    def check(issue: Issue) -> None:
        access.require_read(caller, scope_of(issue), issue.reporter_id, issue.submitted_by)
        if not access.is_admin_for(caller, scope_of(issue)):
            raise Forbidden(REOPEN_BY_RATING.format(issue_id=issue.id),
                            {"role": f"rate it instead: POST /issues/{issue.id}/rate"})
    return check


def reopen(caller: Caller, issue_id: str, data: ReopenIn) -> Issue:
    """The community's admins send a resolved issue back to work (an inspection found it
    undone). The reporter's "not satisfied" is a rating, evaluation's: it is refused here
    with the route to use, so every reopen by a resident is counted as a rating."""
    def extra(issue: Issue) -> tuple[dict, list]:
        return {}, [IssueReopened(issue_id=issue.id, community_id=issue.community_id,
                                  reason=data.reason)]

    return transition(issue_id, Action.reopen, caller, data.reason, check=_staff_reopen(caller),
                      extra=extra)


def merge(caller: Caller, issue_id: str, data: MergeIn) -> Issue:
    """Merge `issue_id` into `original_id` (群体诉): the original gains a supporter."""
    if data.original_id == issue_id:
        raise InvalidInput("an issue cannot be its own duplicate",
                           {"original_id": "same as the issue"})
    duplicate = repository.issue(issue_id)
    _admin(caller)(duplicate)
    domain.next_state(IssueState(duplicate.state), Action.merge)  # 409 before any write
    original = Issue.objects(id=data.original_id).first()
    if original is None or original.community_id != duplicate.community_id:
        raise InvalidInput("no such issue in this community", {"original_id": "unknown"})
    if IssueState(original.state) not in OPEN_STATES:
        raise Conflict(f"the original is {original.state}", {"original_id": original.state},
                       detail={"state": original.state})

    # The original first: adding to its set is idempotent, so a crash before the
    # duplicate's write leaves a merge that simply runs again.
    def grow(fresh: Issue, now: datetime) -> Decision | None:
        if issue_id in (fresh.duplicates or []):
            return None
        duplicates = [*(fresh.duplicates or []), issue_id]
        reporters = sorted({*(fresh.duplicate_reporters or []),
                            *([duplicate.reporter_id] if duplicate.reporter_id else [])})
        return Decision(
            changes={"duplicates": duplicates, "duplicate_reporters": reporters,
                     "supporters": 1 + len(duplicates), "updated_at": now},
            events=[IssueMerged(issue_id=issue_id, original_id=fresh.id,
                                community_id=fresh.community_id,
                                supporters=1 + len(duplicates))],
            history=[repository.timeline_entry(fresh, caller, f"merged duplicate {issue_id}",
                                               fresh.state, fresh.version + 1, now)])

    lifecycle.commit(lambda: repository.issue(original.id), grow, caller)

    def extra(issue: Issue) -> tuple[dict, list]:
        return {"duplicate_of": original.id}, []

    return transition(issue_id, Action.merge, caller, f"merged into {original.id}",
                      check=_admin(caller), extra=extra)
