"""Receiving an issue (接诉): validate everything, then one insert with its events."""

from __future__ import annotations

from datetime import datetime

from mongoengine.errors import NotUniqueError
from pydantic import BaseModel

from services.common.aggregate import Decision
from services.common.caller import Caller
from services.common.contracts.intake import (
    CategoryDef,
    DuplicateSuggestion,
    IssueIn,
    IssueReceived,
    IssueState,
    IssueTriaged,
    Triage,
)
from services.common.errors import InvalidInput, NotFound
from services.intake import domain, lifecycle, metrics, repository
from services.intake.attributes import validate_attributes
from services.intake.domain import Action
from services.intake.grids import GridLocator
from services.intake.models import CommunityRef, Issue, utcnow
from services.intake.views import community_scope


def submit(caller: Caller, data: IssueIn, community: CommunityRef,
           grids: GridLocator) -> tuple[Issue, list[DuplicateSuggestion]]:
    """The stored issue and the duplicates to suggest (none on a replay).

    Nothing here waits on another service: the grid comes from intake's own read
    model of dispatch's registry.
    """
    if not caller.sees(community_scope(community)):  # as for an unknown one: no existence leak
        raise NotFound("no such community", {"community_id": "unknown"})
    domain.check_channel(caller, data.channel, data.contact is not None)
    category = repository.category(community.id, data.category)
    attributes = validate_attributes(category, data.attributes)
    key = f"{caller.user_id}:{caller.idempotency_key}" if caller.idempotency_key else None
    if key and (first := Issue.objects(idempotency=key).first()) is not None:
        return first, []
    where = data.location
    grid_id, inside = grids.locate(community.id, where.lat, where.lng, where.address)
    if not inside:
        raise InvalidInput("the location is outside the community",
                           {"location": "outside this community"})
    now = utcnow()
    suggestions = repository.duplicate_suggestions(community.id, category, data.location.lat,
                                                   data.location.lng, now)
    issue = _new_issue(caller, data, community, category, attributes, grid_id, key, now)
    try:
        issue = lifecycle.commit(lambda: issue, lambda i, at: _received(i, caller, data, category,
                                                                        at), caller)
    except NotUniqueError:
        # The same Idempotency-Key raced us: the other request stored it.
        first = Issue.objects(idempotency=key).first()
        if first is None:
            raise
        return first, []
    metrics.ISSUES_RECEIVED.labels(data.channel.value, category.code).inc()
    if issue.state == IssueState.triaged:
        t = issue.triage
        metrics.TRIAGE_OUTCOMES.labels(t["route"], t["issue_class"], t["urgency"],
                                       t["source"]).inc()
    return issue, suggestions


def _new_issue(caller: Caller, data: IssueIn, community: CommunityRef, category: CategoryDef,
               attributes: dict, grid_id: str | None, key: str | None, now: datetime) -> Issue:
    where = data.location
    return Issue(
        community_id=community.id, street_id=community.street_id,
        district_id=community.district_id, grid_id=grid_id, category=category.code,
        description=data.description.strip(), lat=where.lat, lng=where.lng,
        address=where.address, channel=data.channel.value, attributes=attributes,
        state=IssueState.received.value,
        triage=domain.default_triage(category).model_dump(mode="json"),
        reporter_id=domain.reporter_of(caller, data.channel), submitted_by=caller.user_id,
        anonymous=data.anonymous, contact=data.contact.model_dump() if data.contact else None,
        idempotency=key, created_at=now, updated_at=now, media_url=data.media_url,
        dup_scope=repository.dup_scope(community.id, category, where.lat, where.lng))


def _received(issue: Issue, caller: Caller, data: IssueIn, category: CategoryDef,
              now: datetime) -> Decision:
    """The insert: issue.received and the first timeline entry; an urgent category's own
    triage (auto_triage) in the same write."""
    events: list[BaseModel] = [IssueReceived(
        issue_id=issue.id, community_id=issue.community_id, grid_id=issue.grid_id,
        category=category.code, channel=data.channel, reporter_id=issue.reporter_id,
        location=data.location)]
    history = [repository.timeline_entry(issue, caller, "received", IssueState.received.value,
                                         0, now)]
    if not category.auto_triage:
        return Decision(events=events, history=history)
    note = "triaged by the category's rules"
    triaged = lifecycle.step(issue, Action.triage, caller, note, now)
    return Decision(changes=triaged.changes,
                    events=[*events, triaged_event(issue, Triage.model_validate(issue.triage),
                                                   category), *triaged.events],
                    history=[*history, *triaged.history])


def triaged_event(issue: Issue, triage: Triage, category: CategoryDef) -> IssueTriaged:
    return IssueTriaged(
        issue_id=issue.id, community_id=issue.community_id, street_id=issue.street_id,
        district_id=issue.district_id, grid_id=issue.grid_id, category=issue.category,
        route=triage.route, issue_class=triage.issue_class, urgency=triage.urgency,
        summary=issue.description[:120],
        location={"lat": issue.lat, "lng": issue.lng, "address": issue.address},
        response_hours=category.response_hours, resolution_hours=category.resolution_hours,
        reporter_id=None if issue.anonymous else issue.reporter_id)
