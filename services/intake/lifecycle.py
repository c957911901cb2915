"""Moving an issue along its state machine through the one commit frame
(`services.common.aggregate.change`): the new state, its events and its timeline entry
are one version-conditioned write. Used by the RPC entrypoints and the event handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.intake import IssueState, IssueStatusChanged
from services.common.errors import Conflict, NotFound
from services.intake import domain, keys, metrics, repository
from services.intake.domain import Action
from services.intake.models import Issue

log = logging.getLogger(__name__)

# Given the issue about to move: the other fields that change, and events besides
# status_changed (values; the frame writes them).
Extra = Callable[[Issue], tuple[dict[str, Any], list[BaseModel]]]


def status_changed(issue: Issue, before: IssueState, after: IssueState,
                   note: str) -> IssueStatusChanged:
    """The one place `issue.status_changed` is built (submission's auto-triage too)."""
    return IssueStatusChanged(issue_id=issue.id, community_id=issue.community_id,
                              from_state=before, to_state=after, note=note,
                              notify=repository.notify_list(issue))


def step(issue: Issue, action: Action, caller: Caller, note: str, now: datetime,
         extra: Extra | None = None) -> Decision:
    """What moving `issue` by `action` writes (a 409 with the current state if illegal)."""
    before = IssueState(issue.state)
    after = domain.next_state(before, action)
    changes, events = extra(issue) if extra else ({}, [])
    entry = repository.timeline_entry(issue, caller, note, after.value, issue.version + 1, now)
    return Decision(changes={**changes, "state": after.value, "updated_at": now},
                    events=[*events, status_changed(issue, before, after, note)],
                    history=[entry])


def commit(load: Callable[[], Issue], decide: Callable[[Issue, datetime], Decision | None],
           caller: Caller) -> Issue:
    """Every change of an issue: the frame, with the issue's derived keys refreshed."""
    return change(load, decide, caller, derive=keys.refresh).doc


def transition(issue_id: str, action: Action, caller: Caller, note: str = "",
               check: Callable[[Issue], None] | None = None,
               extra: Extra | None = None) -> Issue:
    """Apply `action` (409 with the current state if illegal); retried on a concurrent write.
    An admin's act carries its `audit.recorded` event (`issue.<action>`) in the same write."""
    moved: list[tuple[str, str]] = []

    def decide(issue: Issue, now: datetime) -> Decision:
        if check is not None:
            check(issue)
        decision = step(issue, action, caller, note, now, extra)
        moved[:] = [(issue.state, decision.changes["state"])]
        changed = {k: v for k, v in decision.changes.items() if k != "updated_at"}
        return audit.attach(decision, caller, issue, f"issue.{action.value}", "issue",
                            before=audit.fields_of(issue, changed),
                            after=changed | ({"note": note} if note else {}))

    issue = commit(lambda: repository.issue(issue_id), decide, caller)
    metrics.ISSUE_TRANSITIONS.labels(*moved[0]).inc()
    return issue


def add_note(issue_id: str, caller: Caller, note: str, entry_id: str) -> Issue:
    """A timeline line that does not move the issue (an order's step), keyed by its source
    event so a redelivery rewrites the same entry."""

    def decide(issue: Issue, now: datetime) -> Decision:
        return Decision(history=[repository.timeline_entry(
            issue, caller, note, issue.state, issue.version + 1, now, entry_id=entry_id)])

    return commit(lambda: repository.issue(issue_id), decide, caller)


def advance_from_event(issue_id: str | None, community_id: str | None, action: Action,
                       caller: Caller, note: str, event_id: str,
                       extra: Extra | None = None) -> None:
    """An event handler's transition: a step already taken or not applicable is only noted
    (a redelivery or an out-of-order event must not requeue forever)."""
    if issue_id is None:
        return

    def held(issue: Issue) -> None:  # checked on the frame's own load: one read, not two
        if issue.community_id != community_id:
            raise NotFound("no such issue", {"issue_id": "unknown"})

    try:
        transition(issue_id, action, caller, note, check=held, extra=extra)
    except NotFound:
        log.warning("event %s names issue %s that intake does not hold", event_id, issue_id)
    except Conflict as exc:
        log.info("issue %s: %s skipped (%s)", issue_id, action.value, exc)
        add_note(issue_id, caller, note, f"{issue_id}:evt:{event_id}")
