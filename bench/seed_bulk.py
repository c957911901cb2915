"""Stored history at scale, written straight to the store: issues, their timelines, orders
and their history lines.

    .venv/bin/python bench/seed_bulk.py --issues 100000 --communities 10   # into `make up`'s stack

Documents are the services' own: each batch starts from instances of intake's `Issue`
and `TimelineEntry` and dispatch's `Order`, validated and turned into dicts with
`to_mongo()`; the per-document values (ids, times, place, state) are then set on copies
of those, and the derived keys (intake's duplicate-search key, dispatch's page keys and due
times) come from the services' own functions, so the shapes are what the services write.
Not written: the counters (IssueCounts, OrderTally) these would have moved.
Communities must exist (identity made them, intake and dispatch heard of them).
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pymongo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from services.common.contracts.intake import OPEN_STATES, IssueState  # noqa: E402
from services.common.paging import page_key  # noqa: E402
from services.dispatch.commit import facts  # noqa: E402
from services.dispatch.domain.keys import derived  # noqa: E402
from services.dispatch.domain.states import OrderState  # noqa: E402
from services.dispatch.models import Order, OrderLine  # noqa: E402
from services.intake.catalogue import CATALOGUE  # noqa: E402
from services.intake.keys import listing_scopes  # noqa: E402
from services.intake.models import Issue, TimelineEntry  # noqa: E402
from services.intake.repository import dup_scope  # noqa: E402

BY_CODE = {c.code: c for c in CATALOGUE}

CATEGORIES = ("street_lighting", "fire_hazard", "noise", "water_pipe", "garbage_collection",
              "elderly_care", "stairwell_lighting", "green_space")
# state, share, has an order, timeline states
# Most of a year's history is closed; what is still open is recent (its deadlines ahead: a
# history of open orders a year overdue would set off a storm of escalations on start).
STATES = (("received", 0.03, False, ("received",)),
          ("triaged", 0.03, False, ("received", "triaged")),
          ("dispatched", 0.07, True, ("received", "triaged", "dispatched")),
          ("resolved", 0.07, True, ("received", "triaged", "dispatched", "resolved")),
          ("closed", 0.80, True, ("received", "triaged", "dispatched", "resolved", "closed")))
RECENT = 3600.0  # open issues were filed within the last hour
ORDER_STATE = {"dispatched": "open", "resolved": "resolved", "closed": "confirmed"}
LINES = {"open": ("created",), "resolved": ("created", "claimed", "resolved"),
         "confirmed": ("created", "claimed", "resolved", "confirmed")}
YEAR = 365 * 24 * 3600.0


def _templates(community: dict) -> dict[str, dict[str, Any]]:
    """One validated document of each kind, as the services would store it."""
    at = datetime.now(UTC)
    issue = Issue(community_id=community["id"], street_id=community["street_id"],
                  district_id=community["district_id"], category="fire_hazard",
                  description="消防通道堵塞 5 号楼杂物", lat=39.9, lng=116.4, address="东1小区",
                  channel="app", attributes={}, state="dispatched",
                  triage={"route": "community", "issue_class": "priority", "urgency": "urgent",
                          "source": "category"},
                  reporter_id="u-bulk", submitted_by="u-bulk", created_at=at, updated_at=at)
    entry = TimelineEntry(id="t", issue_id=issue.id, at=at, seq=0, actor_id="u-bulk",
                          actor_role="resident", state="received", note="")
    order = Order(id=f"o-{issue.id}", issue_id=issue.id, source="issue",
                  district_id=community["district_id"], street_id=community["street_id"],
                  community_id=community["id"], level="community",
                  grid_id=f"g-root-{community['id']}", grid_chain=[f"g-root-{community['id']}"],
                  reached_grids=[f"g-root-{community['id']}"], reached_levels=["community"],
                  state="open", category="fire_hazard", urgency="urgent",
                  summary="消防通道堵塞", departments=[], members=[], opened_at=at,
                  response_hours=24.0, resolution_hours=72.0, response_due_at=at,
                  resolution_due_at=at, created_at=at, version=1)
    line = OrderLine(id="l", key="l", at=at, kind="created", by="system", role="system",
                     level="community", source="issue")
    out: dict[str, Any] = {}
    for name, doc in (("issue", issue), ("entry", entry), ("order", order), ("line", line)):
        doc.validate()
        out[name] = doc.to_mongo().to_dict()
    out["work"] = facts(order)  # the value dispatch derives an order's keys from
    return out


def _pick_state(rng: random.Random) -> tuple:
    x, acc = rng.random(), 0.0
    for row in STATES:
        acc += row[1]
        if x < acc:
            return row
    return STATES[-1]


def batch(communities: list[dict], templates: list[dict], start: int, size: int,
          now: float, rng: random.Random) -> tuple[list, list, list, list]:
    issues, entries, orders, lines = [], [], [], []
    for n in range(start, start + size):
        k = n % len(communities)
        tpl = templates[k]
        state, _, has_order, steps = _pick_state(rng)
        created = (now - rng.uniform(60, RECENT) if state != "closed"
                   else now - YEAR + (n / max(1, start + size)) * YEAR * 0.9)
        at = datetime.fromtimestamp(created, UTC)
        issue_id = f"i-{uuid.uuid4().hex[:12]}"
        doc = copy.copy(tpl["issue"])
        doc.update(_id=issue_id, category=rng.choice(CATEGORIES), state=state,
                   lat=39.9 + rng.uniform(-0.15, 0.15), lng=116.4 + rng.uniform(-0.15, 0.15),
                   description=f"批量历史诉求 {n}", created_at=at,
                   updated_at=at + timedelta(hours=len(steps)), version=len(steps))
        scope = dup_scope(doc["community_id"], BY_CODE[doc["category"]], doc["lat"], doc["lng"])
        doc.update(created_ts=created, dup_scope=scope,
                   dup_key=page_key(scope, created, issue_id)
                   if IssueState(state) in OPEN_STATES else None)
        # The listing keys, as intake.keys.refresh sets them on every commit.
        for field, of in listing_scopes(SimpleNamespace(**doc)).items():
            doc[field] = page_key(of, created, issue_id) if of else None
        issues.append(doc)
        for seq, step in enumerate(steps):
            e = copy.copy(tpl["entry"])
            e_id, e_at = f"{issue_id}:{seq}", at + timedelta(minutes=seq * 30)
            e.update(_id=e_id, issue_id=issue_id, state=step, seq=seq, at=e_at,
                     page_key=page_key(issue_id, e_at.timestamp(), f"{seq:09d}.{e_id}"))
            entries.append(e)
        if has_order:
            oid, ostate = f"o-{issue_id}", ORDER_STATE[state]
            due = at + timedelta(hours=72)
            work = replace(tpl["work"], id=oid, state=OrderState(ostate), created_at=at,
                           opened_at=at, response_due_at=at + timedelta(hours=24),
                           resolution_due_at=due)
            o = copy.copy(tpl["order"])
            o.update(_id=oid, issue_id=issue_id, state=ostate, category=doc["category"],
                     opened_at=at, created_at=at, response_due_at=work.response_due_at,
                     resolution_due_at=due, **derived(work))
            orders.append(o)
            for n, kind in enumerate(LINES[ostate]):
                line = copy.copy(tpl["line"])
                line.update(_id=f"{oid}|{n + 1}|0", key=f"{oid}|{n + 1}|0", kind=kind,
                            at=at + timedelta(minutes=n * 30))
                lines.append(line)
    return issues, entries, orders, lines


def seed(intake_uri: str, dispatch_uri: str, communities: list[dict], count: int,
         batch_size: int = 2000, say=print) -> dict[str, float]:
    """Insert `count` issues spread evenly over `communities`; seconds and documents written."""
    began = time.perf_counter()
    intake = pymongo.MongoClient(intake_uri, tz_aware=True)["linli_intake"]
    dispatch = pymongo.MongoClient(dispatch_uri, tz_aware=True)["linli_dispatch"]
    templates = [_templates(c) for c in communities]
    rng, now = random.Random(count), time.time()
    written = {"issues": 0, "timeline": 0, "orders": 0, "order_lines": 0}

    def write(parts: tuple[list, list, list, list]) -> None:
        issues, entries, orders, lines = parts
        intake.issues.insert_many(issues, ordered=False)
        intake.timeline.insert_many(entries, ordered=False)
        if orders:
            dispatch.orders.insert_many(orders, ordered=False)
            dispatch.order_lines.insert_many(lines, ordered=False)

    with ThreadPoolExecutor(2) as pool:  # build the next batch while the store takes one
        pending = None
        for start in range(0, count, batch_size):
            parts = batch(communities, templates, start, min(batch_size, count - start), now,
                          rng)
            if pending:
                pending.result()
            pending = pool.submit(write, parts)
            for key, part in zip(written, parts, strict=True):
                written[key] += len(part)
            if start and start % (batch_size * 50) == 0:
                say(f"seed_bulk: {start:,} issues, {time.perf_counter() - began:.0f}s")
        if pending:
            pending.result()
    return {"seconds": round(time.perf_counter() - began, 1), **written}


def _indexed_store(uri: str) -> None:
    """The services' indexes on a fresh store, as their first start would declare them."""
    from services.common.store import borrowed

    for alias, docs in (("intake", (Issue, TimelineEntry)), ("dispatch", (Order, OrderLine))):
        with borrowed(alias, f"linli_{alias}", uri):
            for doc in docs:
                doc.ensure_indexes()


def main() -> None:
    import os
    import tempfile

    from bench.tenancy import make_tenancy
    from deploy.settings import StackSettings
    from services.common.testing.embedded_store import EmbeddedStore

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--issues", type=int, default=10000)
    p.add_argument("--communities", type=int, default=10)
    p.add_argument("--standalone", action="store_true",
                   help="time it on a throwaway embedded store with the services' indexes "
                        "(no stack, made-up communities)")
    args = p.parse_args()
    if args.standalone:
        with tempfile.TemporaryDirectory(prefix="linli-seed-") as tmp:
            store = EmbeddedStore(Path(tmp)).start()
            try:
                _indexed_store(store.uri)
                made = [{"id": f"c-{i}", "street_id": f"s-{i // 10}", "district_id": "d"}
                        for i in range(args.communities)]
                print(seed(store.uri, store.uri, made, args.issues), flush=True)
            finally:
                store.stop()
        return
    s = StackSettings.from_env(os.environ)
    tenancy = make_tenancy(s.amqp_uri, args.communities, roles=())
    time.sleep(2)  # intake and dispatch hear community.created
    print(seed(s.mongo_uri, s.mongo_uri, tenancy.communities, args.issues))


if __name__ == "__main__":
    main()
