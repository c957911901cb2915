"""公示: the anonymised public list of a community's issues (and Open311's GET requests):
only issues someone has triaged, and only those triaged as public matters.

A keyset page on the community's listing key (`community_key`, "<community>|<created
epoch>|<id>", newest first): the time window is a range on that same key (epoch floats,
no datetime range), and the filters no key serves (published, public matter, status,
category) are applied to a bounded scan of at most `SCAN_FACTOR` x the page size. So a
page may hold fewer items than asked for (none, in a stretch of private matters) and
still have a next cursor: a reader follows `next_cursor` until it is null. Requests by id
are `_id` lookups, at most `PublicQuery.ids`' 100, none of them a `$in`.
"""

from __future__ import annotations

from services.common import paging
from services.common.contracts.intake import OPEN_STATES, PublicIssue, PublicQuery
from services.intake import anonymise, repository
from services.intake.models import Issue
from services.intake.names import NameIndex
from services.intake.views import public_out

SCAN_FACTOR = 4  # stored issues read per item asked for, at most (the filters' bound)


def _shown(issue: Issue, query: PublicQuery) -> bool:
    states = anonymise.PUBLISHED_STATES
    if query.status == "open":
        states = states & OPEN_STATES
    elif query.status == "closed":
        states = states - OPEN_STATES
    return (issue.state in states and not anonymise.is_private(
        issue.triage.get("route"), issue.triage.get("issue_class"))
        and (not query.category or issue.category == query.category)
        and (query.start is None or issue.created_ts >= query.start.timestamp())
        and (query.end is None or issue.created_ts <= query.end.timestamp()))


def _window(community_id: str, query: PublicQuery) -> dict[str, str]:
    """The page's range on `community_key`: after the cursor, inside [start, end]."""
    rng = paging.bounds(community_id, query.cursor)
    if query.start is not None:
        rng["$gte"] = max(rng["$gte"], f"{community_id}{paging.SEP}"
                                       f"{query.start.timestamp():017.6f}")
    if query.end is not None:
        # every key of an issue created at or before `end` sorts below this one
        rng["$lt"] = min(rng["$lt"], f"{community_id}{paging.SEP}"
                                     f"{query.end.timestamp():017.6f}{paging.AFTER_SEP}")
    return rng


def published(community_id: str, query: PublicQuery, accounts: NameIndex | None = None
              ) -> tuple[list[PublicIssue], str | None]:
    """One page of the community's public list and the next cursor (None: the end).
    `accounts`: the community's account names, removed from the text (`names.py`)."""
    if query.ids is not None:
        found = [i for i in (Issue.objects(id=issue_id).first() for issue_id in query.ids)
                 if i is not None and i.community_id == community_id and _shown(i, query)]
        found.sort(key=lambda i: i.community_key or "", reverse=True)
        found = found[:query.limit]
        names = repository.category_names(community_id, {i.category for i in found})
        return [public_out(i, names.get(i.category, i.category), accounts) for i in found], None
    rng = _window(community_id, query)
    scan = query.limit * SCAN_FACTOR
    docs = list(Issue.objects(community_key__gte=rng["$gte"], community_key__lt=rng["$lt"])
                .order_by("-community_key").limit(scan))
    shown: list[Issue] = []
    last = None
    for doc in docs:
        last = doc.community_key
        if _shown(doc, query):
            shown.append(doc)
            if len(shown) == query.limit:
                break
    # The names of the page's few categories, by id (not the whole catalogue per page).
    names = repository.category_names(community_id, {d.category for d in shown})
    items = [public_out(d, names.get(d.category, d.category), accounts) for d in shown]
    # More may follow when the page filled up or the scan read its whole bound.
    more = last is not None and (len(items) == query.limit or len(docs) == scan)
    if more and last == docs[-1].community_key and len(docs) < scan:
        more = False  # the page filled on the very last issue there is
    return items, paging.encode_cursor(last) if more else None
