"""bench/seed_files.py writes SQLite rows the store itself would have written: the same text
as a document inserted through the wire, found afterwards by pymongo and by the services'
own keyset queries through the indexes it rebuilt."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pymongo
import pytest

from bench import seed_bulk, seed_files
from services.common import paging
from services.common.paging import PageQuery
from services.common.store import borrowed
from services.common.testing.embedded_store import EmbeddedStore
from services.dispatch.models import Order, OrderLine
from services.intake.models import Issue, TimelineEntry

COMMUNITIES = [{"id": f"c-f{i}", "street_id": "s-f", "district_id": "d-f"} for i in range(3)]
KINDS = (("issue", seed_files.ISSUE, Issue), ("entry", seed_files.ENTRY, TimelineEntry),
         ("order", seed_files.ORDER, Order), ("line", seed_files.LINE, OrderLine))


def _documents(count: int) -> dict[str, list[tuple[dict, str]]]:
    """Per kind: (the document as a dict, the row text the fast path renders for it)."""
    shapes, now = seed_files.shapes(COMMUNITIES), time.time()
    out: dict[str, list[tuple[dict, str]]] = {k: [] for k, _, _ in KINDS}
    templates = [seed_bulk._templates(c) for c in COMMUNITIES]
    for sk in seed_files.skeletons(COMMUNITIES, 0, count, "beef", now, count):
        k = COMMUNITIES.index(sk[1])
        issue, entries = seed_files.intake_values(sk)
        order, lines = seed_files.dispatch_values(sk, shapes["work"][k])
        for kind, fields, values in (("issue", seed_files.ISSUE, [issue]),
                                     ("entry", seed_files.ENTRY, entries),
                                     ("order", seed_files.ORDER, [order] if order else []),
                                     ("line", seed_files.LINE, lines)):
            for v in values:
                doc = {**templates[k][kind], **dict(zip(fields, v, strict=True))}
                out[kind].append((doc, shapes[kind][k].render(v)))
    return out


def test_the_rendered_row_is_the_json_of_the_document_and_the_document_is_the_model():
    docs = _documents(60)
    assert all(docs[k] for k, _, _ in KINDS)
    for kind, _, model in KINDS:
        for doc, text in docs[kind]:
            assert text == seed_files.row(doc)[0]
            model._from_son(doc).validate()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    root = Path(tmp_path_factory.mktemp("seedfiles"))
    s = EmbeddedStore(root).start()
    seed_bulk._indexed_store(s.uri)
    yield s, root / "data"
    s.stop()


def test_a_row_written_to_the_file_is_byte_for_byte_what_the_wire_insert_stored(store):
    s, data = store
    docs = _documents(12)
    client = pymongo.MongoClient(s.uri, tz_aware=True)
    wire = {kind: docs[kind][0] for kind, _, _ in KINDS}
    colls = {"issue": client.linli_intake.issues, "entry": client.linli_intake.timeline,
             "order": client.linli_dispatch.orders, "line": client.linli_dispatch.order_lines}
    for kind, (doc, _) in wire.items():
        colls[kind].insert_one(doc)
    s.stop()
    try:
        for kind, (doc, text) in wire.items():
            db = "linli_intake" if kind in ("issue", "entry") else "linli_dispatch"
            table = colls[kind].name
            with closing(sqlite3.connect(data / f"{db}.db")) as conn:
                stored, stored_id = conn.execute(f'SELECT data, _id FROM "{table}" WHERE _id=?',
                                                 (doc["_id"],)).fetchone()
            assert (stored, stored_id) == (text, doc["_id"]), kind
    finally:
        s.start()
    client.close()


def test_seeded_history_reads_back_through_pymongo_and_the_services_keyset_queries(store):
    s, data = store
    client = pymongo.MongoClient(s.uri, tz_aware=True)
    intake, dispatch = client.linli_intake, client.linli_dispatch
    before = intake.issues.estimated_document_count()
    s.stop()
    try:
        got = seed_files.seed({"linli_intake": data, "linli_dispatch": data}, COMMUNITIES, 600,
                              say=lambda _: None)
    finally:
        s.start()
    assert got["issues"] == 600 and got["orders"] > 400
    assert intake.issues.estimated_document_count() == before + 600
    assert intake.timeline.estimated_document_count() >= got["timeline"]
    assert dispatch.order_lines.estimated_document_count() >= got["order_lines"]
    one = intake.issues.find_one({"state": "closed", "community_id": COMMUNITIES[1]["id"]})
    assert one["created_at"].tzinfo is not None and isinstance(one["created_ts"], float)
    order = dispatch.orders.find_one({"_id": f"o-{one['_id']}"})
    assert order and order["state"] == "confirmed"
    # The indexes nx declared are back, and the services' queries are answered from them.
    with closing(sqlite3.connect(data / "linli_intake.db")) as conn:
        names = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='issues'")}
    assert {"idx_issues_community_key", "idx_issues_dup_key", "idx_issues_state_key"} <= names
    try:
        with borrowed("intake", "linli_intake", s.uri), \
                borrowed("dispatch", "linli_dispatch", s.uri):
            scope = COMMUNITIES[1]["id"]
            seen: list[str] = []
            cursor = None
            for _ in range(20):
                page, cursor = paging.fetch(Issue.objects, "community_key", scope,
                                            PageQuery(limit=50, cursor=cursor))
                assert len(page) <= 50 and all(i.community_id == scope for i in page)
                seen += [i.id for i in page]
                if cursor is None:
                    break
            assert len(seen) == len(set(seen)) == 200  # every third of 600, none twice
            entries = list(TimelineEntry.objects(page_key__gte=f"{one['_id']}|",
                                                 page_key__lt=f"{one['_id']}}}").order_by("page_key"))
            assert [e.state for e in entries] == ["received", "triaged", "dispatched", "resolved",
                                                  "closed"]
            board, _ = paging.fetch(Order.objects, "board_key", f"c:{scope}", PageQuery(limit=20))
            assert len(board) == 20 and all(o.community_id == scope for o in board)
            lines = list(OrderLine.objects(key__gte=f"{order['_id']}|",
                                           key__lt=f"{order['_id']}}}").order_by("key"))
            assert [ln.kind for ln in lines] == ["created", "claimed", "resolved", "confirmed"]
    finally:
        client.close()
