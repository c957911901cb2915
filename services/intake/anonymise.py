"""公示: the public view of an issue: no names, phones, or exact places of private matters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.common.contracts.intake import IssueState, PublicIssue
from services.common.contracts.workflow import IssueClass, Route
from services.intake.masking import scrub
from services.intake.names import NameIndex

# Judged by someone (triaged or beyond), and neither rejected nor merged away.
PUBLISHED_STATES = frozenset(IssueState) - {IssueState.received, IssueState.merged,
                                            IssueState.rejected}
PRIVATE_ROUTES = frozenset({Route.residents})
PRIVATE_CLASSES = frozenset({IssueClass.hardship})
_SUMMARY = 120
_COARSE_DECIMALS = 2  # about a kilometre: a neighbourhood, not a doorway


def is_private(route: Route, issue_class: IssueClass) -> bool:
    """A private matter (私事) or a hardship (困难事) points at a household: not published."""
    return route in PRIVATE_ROUTES or issue_class in PRIVATE_CLASSES


def public_view(issue: dict[str, Any], category_name: str,
                names: Iterable[str] = (), accounts: NameIndex | None = None) -> PublicIssue:
    """`issue` holds the stored fields (route/issue_class from its triage); `names` are
    personal names known to belong to it (a hotline caller's); `accounts` the names of the
    community's accounts. A private matter never reaches the list; should one be passed
    here, it still shows no text or place."""
    route, issue_class = Route(issue["route"]), IssueClass(issue["issue_class"])
    private = is_private(route, issue_class)
    lat, lng, address = issue.get("lat"), issue.get("lng"), issue.get("address")
    if private:
        summary, address = None, None
        lat = round(lat, _COARSE_DECIMALS) if lat is not None else None
        lng = round(lng, _COARSE_DECIMALS) if lng is not None else None
    else:
        known = accounts.scrub if accounts else (lambda text: text)
        summary = known(scrub(issue["description"], names))[:_SUMMARY]
        address = known(scrub(address, names)) if address else None
    return PublicIssue(
        id=issue["id"], community_id=issue["community_id"], category=issue["category"],
        category_name=category_name, summary=summary, state=issue["state"], route=route,
        issue_class=issue_class, supporters=issue["supporters"], lat=lat, lng=lng,
        address=address, photos=[] if private else list(issue.get("photos") or []),
        media_url=None if private else issue.get("media_url"),
        created_at=issue["created_at"], updated_at=issue["updated_at"])

