"""Pages of intake's lists: issues by listing (one key field each), a timeline oldest first.

Every list is a keyset page of at most `paging.MAX_PAGE` items on one composite key
field, whatever the role; a filter no key serves is refused (422), never scanned.
"""

from __future__ import annotations

from services.common import paging
from services.common.aggregate import pending_history
from services.common.caller import Caller, Role
from services.common.contracts.intake import IssueQuery
from services.common.errors import InvalidInput
from services.intake import access, keys
from services.intake.models import CommunityRef, Issue, TimelineEntry
from services.intake.views import community_scope

_AFTER = chr(ord(paging.SEP) + 1)


def issue_listing(caller: Caller, query: IssueQuery,
                  community: CommunityRef | None) -> tuple[str, str]:
    """(key field, scope) of the listing `query` asks for, as `caller` may see it."""
    if query.category:
        raise InvalidInput("issues are not listed by category",
                           {"category": "not a listing filter"})
    if community is not None and access.is_staff_for(caller, community_scope(community)):
        if query.state:
            return "state_key", keys.state_scope(community.id, query.state.value)
        return "community_key", community.id
    if community is None and caller.role is Role.street_admin and caller.street_id:
        return _unfiltered(query, "street_key", caller.street_id)
    if community is None and caller.role is Role.district_admin:
        return _unfiltered(query, "district_key", caller.district_id)
    return _unfiltered(query, "reporter_key", caller.user_id)  # everyone's own reports


def _unfiltered(query: IssueQuery, field: str, scope: str) -> tuple[str, str]:
    if query.state:
        raise InvalidInput("a state filter needs a community",
                           {"state": "only with community_id"})
    return field, scope


def issues(field: str, scope: str, query: IssueQuery) -> tuple[list[Issue], str | None]:
    return paging.fetch(Issue.objects(), field, scope, query)


def timeline(issue: Issue, query: paging.PageQuery,
             since: float | None = None) -> tuple[list[TimelineEntry], str | None]:
    """A page of the issue's timeline, oldest first (entries arrive at the end, so a
    cursor neither skips nor repeats one), with the entries still riding in the issue."""
    scope = issue.id
    lower = (paging.decode_cursor(query.cursor, scope) if query.cursor
             else f"{scope}{paging.SEP}{max(since or 0.0, 0.0):017.6f}")
    upper = scope + _AFTER
    stored = {e.id: e for e in TimelineEntry.objects(page_key__gt=lower, page_key__lt=upper)
              .order_by("page_key").limit(query.limit + 1)}
    for entry in pending_history(issue):
        if entry.page_key and lower < entry.page_key < upper:
            stored.setdefault(entry.id, entry)
    entries = sorted(stored.values(), key=lambda e: e.page_key)
    more = len(entries) > query.limit
    entries = entries[:query.limit]
    return entries, paging.encode_cursor(entries[-1].page_key) if more and entries else None


def merged_timeline(issue: Issue, original: Issue | None,
                    query: paging.PageQuery) -> tuple[list[TimelineEntry], str | None]:
    """The issue's timeline; a merged issue's continues with its original's steps since
    the merge (the cursor then belongs to the original's listing)."""
    if original is not None and query.cursor and _belongs(query.cursor, original.id):
        return timeline(original, query)
    entries, cursor = timeline(issue, query)
    if cursor is not None or original is None:
        return entries, cursor
    since = issue.updated_at.timestamp()  # the merge: a merged issue changes no more
    room = query.limit - len(entries)
    if room == 0:
        return entries, paging.encode_cursor(f"{original.id}{paging.SEP}{since:017.6f}")
    more, cursor = timeline(original, paging.PageQuery(limit=room), since=since)
    return entries + more, cursor


def _belongs(cursor: str, scope: str) -> bool:
    try:
        paging.decode_cursor(cursor, scope)
    except InvalidInput:
        return False
    return True
