"""Events intake publishes (接诉即办). Intake's engineer extends this module."""

from __future__ import annotations

from pydantic import BaseModel

from services.common.contracts.envelope import event_payload
from services.common.contracts.workflow import IssueClass, Location, Route, Urgency


@event_payload("issue.triaged")
class IssueTriaged(BaseModel):
    """Triage decided the route; dispatch makes a work order for community / party_volunteer."""

    issue_id: str
    community_id: str
    street_id: str
    district_id: str
    grid_id: str | None = None
    category: str
    route: Route
    issue_class: IssueClass
    urgency: Urgency
    summary: str
    location: Location | None = None
    response_hours: float | None = None  # the category's default deadlines, if it has them
    resolution_hours: float | None = None


@event_payload("issue.reopened")
class IssueReopened(BaseModel):
    """The reporter was not satisfied: the order goes back to work with its history."""

    issue_id: str
    community_id: str
    reason: str
