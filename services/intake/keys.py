"""The keys an issue is found by, derived from its fields and rewritten with every commit.

Each access pattern has its own single-field key (docs/store.md: the store serves one
sorted range on one field from an index, nothing compound): the duplicate search's
geocell key while the issue is open, and one key per listing (community, community and
state, reporter, street, district), each `<scope>|<created epoch>|<id>`.
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
    for field, scope in listing_scopes(issue).items():
        setattr(issue, field, paging.page_key(scope, issue.created_ts, issue.id)
                if scope else None)


def listing_scopes(issue: Issue) -> dict[str, str | None]:
    """Each listing key field and the scope of the listing the issue is in."""
    return {"community_key": issue.community_id,
            "state_key": state_scope(issue.community_id, issue.state),
            "reporter_key": issue.reporter_id, "street_key": issue.street_id,
            "district_key": issue.district_id}


def state_scope(community_id: str, state: str) -> str:
    return paging.scope_key(community_id, state)
