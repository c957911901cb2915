"""Documents → contract models, trimmed to what the caller may see."""

from __future__ import annotations

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


def scope_of(issue: Issue) -> Scope:
    return Scope(district_id=issue.district_id, street_id=issue.street_id,
                 community_id=issue.community_id, grid_id=issue.grid_id)


def community_scope(community: CommunityRef) -> Scope:
    return Scope(district_id=community.district_id, street_id=community.street_id,
                 community_id=community.id)


def location_of(issue: Issue) -> Location:
    return Location(lat=issue.lat, lng=issue.lng, address=issue.address)


def issue_out(issue: Issue, caller: Caller, original: Issue | None = None,
              suggestions: list[DuplicateSuggestion] | None = None) -> dict:
    staff = is_staff_for(caller, scope_of(issue))
    own = issue.reporter_id is not None and issue.reporter_id == caller.user_id
    out = IssueOut(
        id=issue.id, community_id=issue.community_id, street_id=issue.street_id,
        district_id=issue.district_id, grid_id=issue.grid_id, category=issue.category,
        description=issue.description, location=location_of(issue), channel=issue.channel,
        attributes=issue.attributes or {}, state=issue.state, triage=issue.triage,
        reporter_id=issue.reporter_id if own or (staff and not issue.anonymous) else None,
        submitted_by=issue.submitted_by if staff or issue.submitted_by == caller.user_id
        else None, anonymous=bool(issue.anonymous),
        contact=issue.contact or None if staff else None,
        supporters=issue.supporters, group_complaint=is_group_complaint(issue.supporters),
        duplicate_of=issue.duplicate_of, duplicates=list(issue.duplicates or []),
        original_state=original.state if original else None,
        reject_reason=issue.reject_reason, rating=issue.rating, photos=list(issue.photos or []),
        created_at=issue.created_at, updated_at=issue.updated_at,
        suggested_duplicates=suggestions or [])
    return dump(out)


def timeline_out(entry: TimelineEntry, caller: Caller, staff: bool) -> dict:
    shown = staff or entry.actor_id == caller.user_id
    return dump(TimelineEntryOut(issue_id=entry.issue_id, at=entry.at,
                                 actor_role=entry.actor_role,
                                 actor_id=entry.actor_id if shown else None,
                                 state=entry.state, note=entry.note or ""))


def public_out(issue: Issue, category_name: str) -> PublicIssue:
    return anonymise.public_view({
        "id": issue.id, "community_id": issue.community_id, "category": issue.category,
        "description": issue.description, "state": issue.state,
        "route": issue.triage["route"], "issue_class": issue.triage["issue_class"],
        "supporters": issue.supporters, "lat": issue.lat, "lng": issue.lng,
        "address": issue.address, "photos": list(issue.photos or []),
        "created_at": issue.created_at,
        "updated_at": issue.updated_at}, category_name)
