"""`python -m deploy.migrate`: bring data written by older releases up to the keys the
services now read by (`make up` runs it after the stores start, before the services).

- issues without their listing keys (`community_key`, `state_key`, ... and `created_ts`,
  `dup_key`): intake's `keys.refresh`;
- timeline entries without `page_key`: as intake writes it;
- catalogue entries without `catalogue_key` (the catalogue's pages);
- orders without their page keys and due times (`board_key`, ..., `next_due_ts`):
  dispatch's `keys.derived`;
- responders without `duty_key`: dispatch's `duty_key`;
- catalogue entries, accounts and grids without `page_key` (the one listing each owner's
  read-model backfill walks: an entry missing from it would be refused once the copy is
  strict), and catalogue entries without `version` (they became aggregates: the commit
  frame's guard `{version: 0}` never matches a missing field);
- evaluation's publications from before they became aggregates (no `published_ts`, no
  `version`): their publication time from the league they hold, published, version 0 (a
  small collection: one per published league and period).
- points' earning rules upserted without `version` by releases before rules became
  aggregates: version 0 (ten rules per community).

Each pass reads documents still missing the key in bounded batches (`{key: null}`, a
limit: on the key's own index) and `$set`s only the derived fields, conditional on the
version read where the document has one (a concurrent commit derives them itself).
Idempotent: a second run finds nothing to do and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pymongo

from services.common import paging
from services.common.config import Settings

BATCH = 500


def _missing(coll: Any, key: str, batch: int) -> Iterator[list[dict]]:
    """Batches of documents without `key`; stops when one brings nothing new (a document
    the fix could not change must not loop the pass)."""
    seen: set[Any] = set()
    while True:
        docs = list(coll.find({key: None}).limit(batch))
        fresh = [d for d in docs if d["_id"] not in seen]
        if not fresh:
            return
        seen.update(d["_id"] for d in fresh)
        yield fresh


def _issue_fields(raw: dict) -> dict[str, Any]:
    from services.intake import keys
    from services.intake.models import LISTING_KEYS, Issue

    issue = Issue._from_son(raw)
    keys.refresh(issue)
    return {f: getattr(issue, f) for f in ("created_ts", "dup_key", *LISTING_KEYS)}


def _entry_fields(raw: dict) -> dict[str, Any]:
    from services.intake.models import TimelineEntry

    e = TimelineEntry._from_son(raw)
    return {"page_key": paging.page_key(e.issue_id, e.at.timestamp(), f"{e.seq:09d}.{e.id}")}


def _category_fields(raw: dict) -> dict[str, Any]:
    from services.intake.categories import catalogue_key

    return {"catalogue_key": catalogue_key(raw["community_id"], raw.get("group"), raw["code"])}


def _order_fields(raw: dict) -> dict[str, Any]:
    from services.dispatch.commit import facts
    from services.dispatch.domain.keys import derived
    from services.dispatch.models import Order

    return derived(facts(Order._from_son(raw)))


def _responder_fields(raw: dict) -> dict[str, Any]:
    from services.dispatch.models import duty_key

    return {"duty_key": duty_key(raw["community_id"], raw["kind"])}


def _listed(listing: str) -> Callable[[dict], dict[str, Any]]:
    """The backfill listing's key, by the document's creation time where it kept one."""
    def fields(raw: dict) -> dict[str, Any]:
        at = raw.get("created_at")
        ts = at.timestamp() if hasattr(at, "timestamp") else time.time()
        return {"page_key": paging.page_key(listing, ts, raw["_id"])} | (
            {} if "version" in raw else {"version": 0})
    return fields


def _publication_fields(raw: dict) -> dict[str, Any]:
    at = (raw.get("league") or {}).get("published_at")
    return {"published_ts": float(at) if at is not None else time.time(), "withdrawn": False} | (
        {} if "version" in raw else {"version": 0})


# database (service) -> (collection, the key whose absence marks old data, the fix)
PASSES: dict[str, list[tuple[str, str, Callable[[dict], dict[str, Any]]]]] = {
    "intake": [("issues", "community_key", _issue_fields),
               ("timeline", "page_key", _entry_fields),
               ("categories", "catalogue_key", _category_fields),
               ("categories", "page_key", _listed("categories"))],
    "dispatch": [("orders", "board_key", _order_fields),
                 ("responders", "duty_key", _responder_fields),
                 ("grids", "page_key", _listed("grids"))],
    "identity": [("users", "page_key", _listed("users"))],
    "evaluation": [("publications", "published_ts", _publication_fields)],
    "points": [("rules", "version", lambda _raw: {"version": 0})],
}


def migrate(dbs: dict[str, Any], batch: int = BATCH, say=print) -> dict[str, int]:
    """Run every pass on `dbs` (service -> pymongo database); documents fixed per collection."""
    done: dict[str, int] = {}
    for service, passes in PASSES.items():
        db = dbs.get(service)
        if db is None:
            continue
        for name, key, fix in passes:
            coll, fixed = db[name], 0
            for docs in _missing(coll, key, batch):
                for raw in docs:
                    guard = {"_id": raw["_id"]}
                    if "version" in raw:
                        guard["version"] = raw["version"]
                    fixed += coll.update_one(guard, {"$set": fix(raw)}).modified_count
            done[f"{service}.{name}.{key}"] = fixed
            if fixed:
                say(f"migrate: {service}.{name}: {fixed} documents given {key} and its kin")
    return done


def run(stack: Any, batch: int = BATCH, say=print) -> dict[str, int]:
    """The stack's databases (each service's store, as its process will use it)."""
    prefix = stack.env.get("LINLI_DB_PREFIX", Settings.model_fields["db_prefix"].default)
    dbs = {}
    for service in PASSES:
        if any(s.name == service for s in stack.services):
            client = pymongo.MongoClient(stack.mongo_uri_of(service), tz_aware=True,
                                         serverSelectionTimeoutMS=5000)
            dbs[service] = client[f"{prefix}{service}"]
    return migrate(dbs, batch, say)


def main(argv: list[str] | None = None) -> None:
    from deploy.local_stack import Stack

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=BATCH)
    args = p.parse_args(argv)
    print(run(Stack(os.environ), args.batch))


if __name__ == "__main__":
    sys.exit(main())
