"""公示: the anonymised public list of a community's issues (and Open311's GET requests):
only issues someone has triaged, and only those triaged as public matters."""

from __future__ import annotations

from services.common.contracts.intake import OPEN_STATES, PublicIssue, PublicQuery
from services.intake import anonymise, repository
from services.intake.models import Issue
from services.intake.names import NameIndex
from services.intake.views import public_out


def published(community_id: str, query: PublicQuery,
              accounts: NameIndex | None = None) -> list[PublicIssue]:
    """`accounts`: the community's account names, removed from the text (`names.py`)."""
    states = anonymise.PUBLISHED_STATES
    if query.status == "open":
        states = states & OPEN_STATES
    elif query.status == "closed":
        states = states - OPEN_STATES
    found = Issue.objects(community_id=community_id, state__in=[s.value for s in states],
                          triage__route__nin=[r.value for r in anonymise.PRIVATE_ROUTES],
                          triage__issue_class__nin=[c.value for c in anonymise.PRIVATE_CLASSES])
    if query.ids is not None:
        found = found.filter(id__in=query.ids)
    if query.category:
        found = found.filter(category=query.category)
    if query.start:
        found = found.filter(created_at__gte=query.start)
    if query.end:
        found = found.filter(created_at__lte=query.end)
    names = {c.code: c.name for c in repository.categories(community_id)}
    return [public_out(i, names.get(i.category, i.category), accounts)
            for i in found.order_by("-created_at").limit(query.limit)]
