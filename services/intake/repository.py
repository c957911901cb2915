"""Reads and small writes on intake's own collections (everything here is idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.common import paging
from services.common.caller import Caller
from services.common.contracts.intake import (
    OPEN_STATES,
    CategoryDef,
    DuplicateSuggestion,
    IssueState,
)
from services.common.errors import InvalidInput, NotFound
from services.common.paging import PageQuery
from services.common.store import as_utc
from services.intake import categories as categories_writes
from services.intake import cells, domain
from services.intake.catalogue import CATALOGUE
from services.intake.models import (
    COUNTS_ALL,
    Category,
    CommunityRef,
    Issue,
    IssueCounts,
    TimelineEntry,
)

ALL = COUNTS_ALL  # the counters of the whole deployment


def remember_community(community_id: str, name: str | None, street_id: str,
                       district_id: str) -> CommunityRef:
    CommunityRef._get_collection().update_one(
        {"_id": community_id},
        {"$set": {"name": name, "street_id": street_id, "district_id": district_id}},
        upsert=True)
    return CommunityRef.objects.get(id=community_id)


def community(community_id: str, fetch: Callable[[str], dict]) -> CommunityRef:
    """The community, fetched from identity once (`fetch` raises NotFound if unknown)."""
    known = CommunityRef.objects(id=community_id).first()
    if known is not None:
        return known
    unit = fetch(community_id)
    seed_catalogue(community_id)
    return remember_community(unit["id"], unit.get("name"), unit["street_id"],
                              unit["district_id"])


def seed_catalogue(community_id: str) -> None:
    """Give the community the starting catalogue (`categories.seed`: each entry with its
    event); entries it already has are left alone.

    Called where intake first learns of a community, before it remembers it: a known
    community always has its catalogue, so reads never seed.
    """
    # `seed` writes the entries in catalogue order: the last one there means all are (one
    # `_id` lookup; a count would scan every community's catalogue on this store).
    last = f"{community_id}:{CATALOGUE[-1].code}"
    if Category._get_collection().find_one({"_id": last}, {"_id": 1}) is not None:
        return
    categories_writes.seed(community_id)


def catalogue_page(community_id: str, query: PageQuery) -> tuple[list[CategoryDef], str | None]:
    """One page of the community's catalogue by group then code (a range on the one
    `catalogue_key`, ascending, a limit); removed entries are skipped, so a page may be
    short and still have a next cursor."""
    lower = (paging.decode_cursor(query.cursor, community_id) if query.cursor
             else community_id + paging.SEP)
    docs = list(Category.objects(catalogue_key__gt=lower,
                                 catalogue_key__lt=community_id + paging.AFTER_SEP)
                .order_by("catalogue_key").limit(query.limit + 1))
    more = len(docs) > query.limit
    docs = docs[:query.limit]
    items = [CategoryDef.model_validate(d.definition) for d in docs if not d.removed]
    return items, paging.encode_cursor(docs[-1].catalogue_key) if more else None


def categories(community_id: str, most: int = 10) -> list[CategoryDef]:
    """The whole catalogue, walking at most `most` pages (a catalogue is tens of entries)."""
    out: list[CategoryDef] = []
    query = PageQuery(limit=paging.MAX_PAGE)
    for _ in range(most):
        items, cursor = catalogue_page(community_id, query)
        out += items
        if cursor is None:
            break
        query = PageQuery(limit=paging.MAX_PAGE, cursor=cursor)
    return out


def category_names(community_id: str, codes: set[str]) -> dict[str, str]:
    """The names of the categories `codes` (one `_id` read each: a page's few codes)."""
    names = {}
    for code in codes:
        doc = Category.objects(id=f"{community_id}:{code}").only("definition").first()
        if doc is not None:
            names[code] = doc.definition.get("name", code)
    return names


def category(community_id: str, code: str) -> CategoryDef:
    """The category, or InvalidInput naming `category` (what a submission names)."""
    doc = Category.objects(id=f"{community_id}:{code}").first()
    if doc is None or doc.removed:
        raise InvalidInput(f"unknown category {code!r}",
                           {"category": "not in this community's catalogue"})
    return CategoryDef.model_validate(doc.definition)


def issue(issue_id: str) -> Issue:
    found = Issue.objects(id=issue_id).first()
    if found is None:
        raise NotFound("no such issue", {"issue_id": "unknown"})
    return found


def timeline_entry(issue: Issue, caller: Caller, note: str, state: str, seq: int,
                   at: datetime, entry_id: str | None = None) -> TimelineEntry:
    """A timeline entry for the issue's next commit (the frame writes it with the change):
    its id is "<issue>:<version it was written at>", or its source event's."""
    entry_id = entry_id or f"{issue.id}:{seq}"
    return TimelineEntry(id=entry_id, issue_id=issue.id, at=at, seq=seq,
                         actor_id=caller.user_id, actor_role=caller.role.value, state=state,
                         note=note, page_key=paging.page_key(issue.id, at.timestamp(),
                                                             f"{seq:09d}.{entry_id}"))


def notify_list(issue: Issue) -> list[str]:
    """The reporters to tell about `issue`: its own and those of the issues merged into it."""
    ids = [issue.reporter_id] if issue.reporter_id else []
    return sorted(set(ids + list(issue.duplicate_reporters or [])))


def counts() -> dict[str, int]:
    doc = IssueCounts._get_collection().find_one({"_id": ALL}) or {}
    return {s.value: int(doc.get(s.value) or 0) for s in IssueState}


CANDIDATES_PER_CELL = 30  # the newest open issues of a cell: the search reads no more
MAX_SUGGESTIONS = 10
CANDIDATE_FIELDS = {"_id": 1, "lat": 1, "lng": 1, "created_at": 1, "supporters": 1, "state": 1}


def dup_scope(community_id: str, category: CategoryDef, lat: float | None,
              lng: float | None) -> str | None:
    """The geocell listing an issue at this point joins (None without coordinates)."""
    if lat is None or lng is None:
        return None
    size = cells.cell_size_m(category.duplicate_radius_m)
    return cells.scope(community_id, category.code, size, cells.cell_of(lat, lng, size))


def duplicate_suggestions(community_id: str, category: CategoryDef, lat: float | None,
                          lng: float | None, now: datetime,
                          exclude: str | None = None) -> list[DuplicateSuggestion]:
    """Open issues of the same category within the category's radius and time window:
    a few geocells, each one bounded range on `dup_key`; distance checked here."""
    if lat is None or lng is None:
        return []
    radius, size = category.duplicate_radius_m, cells.cell_size_m(category.duplicate_radius_m)
    since = domain.window_start(now, category.duplicate_window_hours).timestamp()
    docs: dict[str, dict] = {}
    coll = Issue._get_collection()  # plain rows: building documents cost more than the read
    for cell in cells.cells_around(lat, lng, radius, size):
        rng = cells.key_range(cells.scope(community_id, category.code, size, cell), since)
        found = coll.find({"dup_key": rng}, CANDIDATE_FIELDS).sort("dup_key", -1).limit(
            CANDIDATES_PER_CELL)
        docs |= {d["_id"]: d for d in found
                 if d["_id"] != exclude and IssueState(d["state"]) in OPEN_STATES}
    near = domain.nearby(lat, lng, radius, [
        domain.Candidate(d["_id"], d["lat"], d["lng"], as_utc(d["created_at"]))
        for d in docs.values()])
    return [DuplicateSuggestion(issue_id=c.issue_id, distance_m=round(dist, 1),
                                supporters=docs[c.issue_id].get("supporters", 1),
                                created_at=c.created_at) for c, dist in near[:MAX_SUGGESTIONS]]
