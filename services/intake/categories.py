"""Writes of a community's catalogue, each with its event in the same write (the outbox), and
the page walk other services' read models are seeded from (dispatch's, to check an order's
category without asking intake)."""

from __future__ import annotations

import time

from services.common import audit, paging
from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import (
    CategoryChanged,
    CategoryDef,
    CategoryRemoved,
    CategoryState,
)
from services.common.errors import NotFound
from services.common.store import Store
from services.intake.catalogue import CATALOGUE
from services.intake.models import Category

CATEGORY_LIST = "categories"  # the one listing of every entry (the read models' backfill)


def _id(community_id: str, code: str) -> str:
    return f"{community_id}:{code}"


def catalogue_key(community_id: str, group: str | None, code: str) -> str:
    """The entry's place in its community's catalogue pages (by group, then code)."""
    return f"{community_id}{paging.SEP}{group or ''}{paging.SEP}{code}"


def _key(entry_id: str) -> str:
    return paging.page_key(CATEGORY_LIST, time.time(), entry_id)


def seed(community_id: str) -> None:
    """Give the community the starting catalogue; entries it already has are left alone.

    Each entry is inserted with its `category.changed` at version 1 in the same upsert
    ($setOnInsert), so a redelivered community.created neither rewrites nor re-announces."""
    coll, system = Category._get_collection(), Caller.system()
    for cat in CATALOGUE:
        entry_id = _id(community_id, cat.code)
        event = new_event(CategoryChanged(community_id=community_id, code=cat.code,
                                          name=cat.name, version=1), system, community_id)
        coll.update_one({"_id": entry_id}, {"$setOnInsert": {
            "community_id": community_id, "code": cat.code, "group": cat.group,
            "definition": cat.model_dump(mode="json"), "removed": False,
            "page_key": _key(entry_id),
            "catalogue_key": catalogue_key(community_id, cat.group, cat.code), "version": 1,
            "outbox": [event.to_message()],
            "history_pending": [], "outbox_pending": True}}, upsert=True)
    Store.wake(Category)


def _load(community_id: str, code: str):  # noqa: ANN202
    def load() -> Category:
        entry_id = _id(community_id, code)
        return Category.objects(id=entry_id).first() or Category(
            id=entry_id, community_id=community_id, code=code, definition={},
            page_key=_key(entry_id))
    return load


def save(caller: Caller, community_id: str, definition: CategoryDef) -> Category:
    """Add or change an entry (a removed one comes back) and announce its new state."""

    def decide(entry: Category, _now: object) -> Decision:
        version = 1 if entry._created else entry.version + 1  # what commit() will write
        return Decision(
            changes={"group": definition.group, "removed": False,
                     "page_key": entry.page_key or _key(entry.id),
                     "catalogue_key": catalogue_key(community_id, definition.group,
                                                    definition.code),
                     "definition": definition.model_dump(mode="json")},
            events=[CategoryChanged(community_id=community_id, code=definition.code,
                                    name=definition.name, version=version)])

    def decide_and_record(entry: Category, now: object) -> Decision:
        was = {} if entry._created else {"group": entry.group, "removed": bool(entry.removed),
                                         "name": (entry.definition or {}).get("name")}
        return audit.attach(decide(entry, now), caller, entry, "category.save", "category",
                            before=was, after={"group": definition.group, "removed": False,
                                               "name": definition.name})

    return change(_load(community_id, definition.code), decide_and_record, caller).doc


def remove(caller: Caller, community_id: str, code: str) -> None:
    """Take an entry out of the catalogue (new issues and orders can no longer name it;
    issues filed under it keep it); a missing or removed entry is a 404."""

    def decide(entry: Category, _now: object) -> Decision:
        if entry._created or entry.removed:
            raise NotFound("no such category", {"code": "unknown"})
        return Decision(changes={"removed": True}, events=[
            CategoryRemoved(community_id=community_id, code=code, version=entry.version + 1)])

    change(_load(community_id, code), audit.audited(
        decide, caller, "category.remove", "category", before={"removed": False},
        after={"removed": True}), caller)


def states_page(query: paging.PageQuery) -> paging.Page[CategoryState]:
    """One page of every entry's current state, newest first (keyset on `page_key`)."""
    docs, cursor = paging.fetch(Category.objects(), "page_key", CATEGORY_LIST, query)
    return paging.Page[CategoryState](items=[
        CategoryState(community_id=d.community_id, code=d.code,
                      name=(d.definition or {}).get("name", d.code), removed=bool(d.removed),
                      version=d.version) for d in docs], next_cursor=cursor)
