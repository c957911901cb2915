"""公示: the public view of an issue: no names, phones, or exact places of private matters."""

from __future__ import annotations

import re
from typing import Any

from services.common.contracts.intake import IssueState, PublicIssue
from services.common.contracts.workflow import IssueClass, Route

PUBLISHED_STATES = frozenset(IssueState) - {IssueState.merged, IssueState.rejected}

# Mainland mobile and landline numbers, ID-card numbers, and any long digit run.
_PHONE_OR_ID = re.compile(r"(\+?86[- ]?)?\d[\d -]{5,}\d[\dXx]?")
_SUMMARY = 120
_COARSE_DECIMALS = 2  # about a kilometre: a neighbourhood, not a doorway


def is_private(route: Route, issue_class: IssueClass) -> bool:
    """A private matter (私事) or a hardship (困难事) points at a household."""
    return route is Route.residents or issue_class is IssueClass.hardship


def scrub(text: str) -> str:
    return _PHONE_OR_ID.sub("***", text)


def public_view(issue: dict[str, Any], category_name: str) -> PublicIssue:
    """`issue` holds the stored fields (route/issue_class from its triage)."""
    route, issue_class = Route(issue["route"]), IssueClass(issue["issue_class"])
    private = is_private(route, issue_class)
    lat, lng, address = issue.get("lat"), issue.get("lng"), issue.get("address")
    if private:
        summary, address = None, None
        lat = round(lat, _COARSE_DECIMALS) if lat is not None else None
        lng = round(lng, _COARSE_DECIMALS) if lng is not None else None
    else:
        summary = scrub(issue["description"])[:_SUMMARY]
        address = scrub(address) if address else None
    return PublicIssue(
        id=issue["id"], community_id=issue["community_id"], category=issue["category"],
        category_name=category_name, summary=summary, state=issue["state"], route=route,
        issue_class=issue_class, supporters=issue["supporters"], lat=lat, lng=lng,
        address=address, photos=[] if private else list(issue.get("photos") or []),
        created_at=issue["created_at"], updated_at=issue["updated_at"])

