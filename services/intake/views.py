"""Documents → contract models, trimmed to what the caller may see.

The issue view is derived once from `IssueOut`'s fields (as dispatch's `orders.view`
derives `OrderOut`), and what each caller may not see is decided in one place,
`withheld`: an anonymous reporter's accounts and contact are shown to no staff role
(the district reveals them for abuse handling through `reveal_reporter`, audited).
"""

from __future__ import annotations

from typing import Any

from services.common.caller import Caller, Scope
from services.common.contracts.intake import (
    DuplicateSuggestion,
    IssueOut,
    PublicIssue,
    TimelineEntryOut,
)
from services.common.contracts.workflow import Location
from services.common.rpc import dump
from services.intake import anonymise
from services.intake.access import is_staff_for
from services.intake.domain import is_group_complaint
from services.intake.models import CommunityRef, Issue, TimelineEntry
from services.intake.names import NameIndex

# IssueOut fields that are not stored as they are shown.
_DERIVED = frozenset({"location", "group_complaint", "original_state", "suggested_duplicates"})
# Stored as empty containers; shown as None.
_NONE_IF_EMPTY = frozenset({"contact"})


def scope_of(issue: Issue) -> Scope:
    return Scope(district_id=issue.district_id, street_id=issue.street_id,
                 community_id=issue.community_id, grid_id=issue.grid_id)


def community_scope(community: CommunityRef) -> Scope:
    return Scope(district_id=community.district_id, street_id=community.street_id,
                 community_id=community.id)


def location_of(issue: Issue) -> Location:
    return Location(lat=issue.lat, lng=issue.lng, address=issue.address)


def reporter_accounts(issue: Issue) -> frozenset[str]:
    """The accounts that identify the reporter: the one that follows it (which is also
    `submitted_by` when they filed it themselves; a hotline operator filing for a caller
    is not the reporter and stays visible)."""
    return frozenset({issue.reporter_id} if issue.reporter_id else ())


def hidden_accounts(issue: Issue, caller: Caller) -> frozenset[str]:
    """Account ids this caller must not see on this issue (its own are never hidden)."""
    if not issue.anonymous:
        return frozenset()
    return reporter_accounts(issue) - {caller.user_id}


def withheld(issue: Issue, caller: Caller) -> dict[str, None]:
    """The fields of `IssueOut` this caller may not see on this issue, as None."""
    staff = is_staff_for(caller, scope_of(issue))
    hidden = hidden_accounts(issue, caller)
    own = caller.user_id in (issue.reporter_id, issue.submitted_by)
    out: dict[str, None] = {}
    if not (own or staff) or issue.reporter_id in hidden:
        out["reporter_id"] = None
    if not (own or staff) or issue.submitted_by in hidden:
        out["submitted_by"] = None
    if not staff or issue.anonymous:  # the contact is staff's, and identifies an anonymous one
        out["contact"] = None
    return out


def issue_out(issue: Issue, caller: Caller, original: Issue | None = None,
              suggestions: list[DuplicateSuggestion] | None = None) -> dict:
    fields: dict[str, Any] = {name: getattr(issue, name) for name in IssueOut.model_fields
                              if name not in _DERIVED}
    fields |= {name: fields[name] or None for name in _NONE_IF_EMPTY}
    fields |= {"location": location_of(issue),
               "group_complaint": is_group_complaint(issue.supporters),
               "original_state": original.state if original else None,
               "suggested_duplicates": suggestions or []}
    return dump(IssueOut.model_validate(fields | withheld(issue, caller)))


def timeline_out(issue: Issue, entries: list[TimelineEntry], caller: Caller,
                 original: Issue | None = None) -> list[dict]:
    """The timeline of `issue` (with its original's steps when merged): staff see who acted,
    except an anonymous reporter; everyone sees their own steps."""
    staff = is_staff_for(caller, scope_of(issue))
    hidden = hidden_accounts(issue, caller)
    if original is not None:
        hidden |= hidden_accounts(original, caller)

    def actor(entry: TimelineEntry) -> str | None:
        if entry.actor_id == caller.user_id:
            return entry.actor_id
        return entry.actor_id if staff and entry.actor_id not in hidden else None

    return [dump(TimelineEntryOut(issue_id=e.issue_id, at=e.at, actor_role=e.actor_role,
                                  actor_id=actor(e), state=e.state, note=e.note or ""))
            for e in entries]


def public_out(issue: Issue, category_name: str,
               accounts: NameIndex | None = None) -> PublicIssue:
    return anonymise.public_view({
        "id": issue.id, "community_id": issue.community_id, "category": issue.category,
        "description": issue.description, "state": issue.state,
        "route": issue.triage["route"], "issue_class": issue.triage["issue_class"],
        "supporters": issue.supporters, "lat": issue.lat, "lng": issue.lng,
        "address": issue.address, "photos": list(issue.photos or []),
        "media_url": issue.media_url, "created_at": issue.created_at,
        "updated_at": issue.updated_at}, category_name, [(issue.contact or {}).get("name")],
        accounts)
