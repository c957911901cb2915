"""The keys an issue is found by, derived from its fields and rewritten with every commit.

Each access pattern has its own single-field key (docs/store.md: the store serves one
sorted range on one field from an index, nothing compound): the duplicate search's
geocell key while the issue is open.
"""

from __future__ import annotations

from services.common import paging
from services.common.contracts.intake import OPEN_STATES, IssueState
from services.intake.models import Issue


def refresh(issue: Issue) -> None:
    """Set every derived key from the issue's current fields (call before `commit`)."""
    if issue.created_ts is None:
        issue.created_ts = issue.created_at.timestamp()
    is_open = IssueState(issue.state) in OPEN_STATES
    issue.dup_key = (paging.page_key(issue.dup_scope, issue.created_ts, issue.id)
                     if issue.dup_scope and is_open else None)
