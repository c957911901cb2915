"""Moving an issue along its state machine: one conditional write with its events,
then the timeline entry. Used by the RPC entrypoints and the event handlers alike."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import IssueState, IssueStatusChanged
from services.common.errors import Conflict
from services.common.store import retry_on_stale
from services.intake import domain, keys, metrics, repository
from services.intake.domain import Action
from services.intake.models import Issue, utcnow

log = logging.getLogger(__name__)

# Given the issue about to move, what else changes and which events besides status_changed.
Extra = Callable[[Issue], list[BaseModel]]


def transition(issue_id: str, action: Action, caller: Caller, note: str = "",
               check: Callable[[Issue], None] | None = None,
               extra: Extra | None = None) -> Issue:
    """Apply `action` (409 with the current state if illegal); retried on a concurrent write."""

    def attempt() -> Issue:
        issue = repository.issue(issue_id)
        if check is not None:
            check(issue)
        return _apply(issue, action, caller, note, extra)

    return retry_on_stale(attempt)


def advance_from_event(issue_id: str | None, community_id: str | None, action: Action,
                       caller: Caller, note: str, event_id: str) -> None:
    """An event handler's transition: a step already taken or not applicable is skipped
    (a redelivery or an out-of-order event must not requeue forever)."""
    if issue_id is None:
        return
    issue = repository.Issue.objects(id=issue_id).first()
    if issue is None or issue.community_id != community_id:
        log.warning("event %s names issue %s that intake does not hold", event_id, issue_id)
        return
    try:
        transition(issue_id, action, caller, note)
    except Conflict as exc:
        log.info("issue %s: %s skipped (%s)", issue_id, action.value, exc)
        repository.append_timeline(issue, caller, note, entry_id=f"{issue_id}:evt:{event_id}")


def _apply(issue: Issue, action: Action, caller: Caller, note: str,
           extra: Extra | None) -> Issue:
    before = IssueState(issue.state)
    after = domain.next_state(before, action)
    issue.state = after.value
    issue.updated_at = utcnow()
    events: list[Any] = extra(issue) if extra else []
    issue.record(*(new_event(e, caller, issue.community_id) for e in events),
                 new_event(IssueStatusChanged(
                     issue_id=issue.id, community_id=issue.community_id, from_state=before,
                     to_state=after, note=note, notify=repository.notify_list(issue)),
                     caller, issue.community_id))
    keys.refresh(issue)
    issue.commit()
    repository.append_timeline(issue, caller, note)
    metrics.ISSUE_TRANSITIONS.labels(before.value, after.value).inc()
    return issue
