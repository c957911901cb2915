"""Bulk history written straight into the embedded store's SQLite files, the store stopped.

    .venv/bin/python bench/seed_files.py --standalone --issues 1000000   # time it alone

Why: nx-27017 takes `insert_many` as one `insert_one` per document (JSON validation, a deep
copy, one SQLite insert and every index, all in the store's one Python process): 540-3,200
documents/s, so the ten million documents of 1M issues took hours through the wire. Its
storage is plain SQLite (docs/store.md, "How nx-27017 stores a collection"): one file per
database (`<data dir>/<db>.db`), one table per collection
`(id INTEGER PRIMARY KEY AUTOINCREMENT, _id TEXT, data TEXT)`, `data` the document as
`json.dumps` text with a datetime as `{"$date": "<naive UTC isoformat, milliseconds>"}`,
a unique index on `_id` and one expression index `json_extract(data, '$.<field>')` per
declared field. So this writes those rows with `executemany` in one transaction per
collection: the secondary indexes are dropped first and rebuilt after from the store's own
`CREATE INDEX` text (one sort instead of ten million random B-tree inserts), the unique `_id`
index stays and guards against a duplicate, and a failure rolls the collection back whole.

Safe only with the store stopped (`seed_stack` stops it and starts it again): nx keeps no
cache of rows, but a writer beside it would hold SQLite's write lock for minutes. The
collections and their indexes must exist (the services made them on start, or
`seed_bulk._indexed_store`); this writer never creates a table of its own.
`tests/bench/test_seed_files.py` checks that a document written here reads back through
pymongo exactly as the same document inserted through the wire, byte for byte in the file.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import seed_bulk  # noqa: E402
from services.common.contracts.intake import OPEN_STATES, IssueState  # noqa: E402
from services.common.paging import page_key  # noqa: E402
from services.dispatch.domain.keys import LISTINGS, derived  # noqa: E402
from services.dispatch.domain.states import OrderState  # noqa: E402
from services.intake.keys import state_scope  # noqa: E402
from services.intake.models import LISTING_KEYS  # noqa: E402
from services.intake.repository import dup_scope  # noqa: E402

INTAKE, DISPATCH = "linli_intake", "linli_dispatch"
PARTS = ((INTAKE, "issues"), (INTAKE, "timeline"), (DISPATCH, "orders"),
         (DISPATCH, "order_lines"))


def _stored(value: Any) -> Any:
    """A value as the store's JSON encoder writes what pymongo sent: a BSON datetime comes
    in as naive UTC at millisecond precision and is written as {"$date": isoformat}."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return {"$date": value.replace(microsecond=value.microsecond // 1000 * 1000).isoformat()}
    raise TypeError(f"not storable here: {type(value).__name__}")


def row(doc: dict[str, Any]) -> tuple[str, str]:
    """(data, _id) of one document, as nx-27017's insert writes them."""
    return json.dumps(doc, default=_stored), str(doc["_id"])


class Writer:
    """One database file; `add` rows per collection, `close` commits and rebuilds indexes."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise SystemExit(f"{path}: no such database: start the services once first")
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA synchronous=OFF")  # the store is stopped; a crash reseeds
        # The rollback journal in memory instead of the WAL: the store's WAL would take every
        # page twice (and a checkpoint after); ROLLBACK still undoes a failed seed. WAL is
        # set back on close, as nx-27017 opens its files.
        self.db.execute("PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA cache_size=-1000000")  # 1 GB: the index sorts stay in memory
        self.db.execute("PRAGMA temp_store=MEMORY")
        self.dropped: list[str] = []
        self.db.execute("BEGIN IMMEDIATE")

    def prepare(self, table: str) -> None:
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                (table,)).fetchone()
        if not found:
            raise SystemExit(f"no collection {table!r}: start the services once first")
        # Secondary (json_extract) indexes only: `idx_<table>_id` on _id stays and checks.
        for name, sql in self.db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? "
                "AND sql LIKE '%json_extract%'", (table,)).fetchall():
            self.db.execute(f'DROP INDEX "{name}"')
            self.dropped.append(sql)

    def add(self, table: str, docs: Iterable[dict[str, Any]]) -> None:
        self.rows(table, (row(d) for d in docs))

    def rows(self, table: str, rows: Iterable[tuple[str, str]]) -> None:
        """(data, _id) rows as `row` makes them."""
        self.db.executemany(f'INSERT INTO "{table}"(data, _id) VALUES (?, ?)', rows)

    def close(self) -> float:
        """Rebuild the dropped indexes and commit; the seconds the rebuild took."""
        began = time.perf_counter()
        try:
            for sql in self.dropped:
                self.db.execute(sql)
            self.db.execute("COMMIT")
            self.db.execute("PRAGMA journal_mode=WAL")
            return time.perf_counter() - began
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self.db.close()

    def abort(self) -> None:
        self.db.execute("ROLLBACK")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.close()


class Shape:
    """One kind of document as JSON text with slots: the service's template document (the
    model's own `to_mongo()`) with `fields` left open, rendered per document from a tuple
    of values. Renders exactly what `row(template | values)` writes (the test checks it),
    at a tenth of the cost of a `json.dumps` of the whole document."""

    def __init__(self, template: dict[str, Any], fields: tuple[str, ...]) -> None:
        doc = dict(template)
        for n, name in enumerate(fields):
            doc[name] = f"\x00{n}\x00"
        text = row(doc)[0]
        self.fields = fields
        # The slots in the order the document's keys put them, each with its value's index.
        at = sorted((text.index(f'"\\u0000{n}\\u0000"'), n) for n in range(len(fields)))
        self.order = [n for _, n in at]
        self.parts: list[str] = []
        pos = 0
        for where, n in at:
            self.parts.append(text[pos:where])
            pos = where + len(f'"\\u0000{n}\\u0000"')
        self.tail = text[pos:]

    def render(self, values: tuple) -> str:
        out = []
        for head, n in zip(self.parts, self.order, strict=True):
            out.append(head)
            v = values[n]
            out.append(_ENCODE[type(v)](v))
        out.append(self.tail)
        return "".join(out)


def _string(v: str) -> str:
    # ids and keys are printable ASCII without quotes: as json.dumps writes them, cheaply
    if v.isascii() and v.isprintable() and '"' not in v and "\\" not in v:
        return f'"{v}"'
    return json.dumps(v)


def _date(v: datetime) -> str:
    # Every datetime here is made in UTC (so dropping the zone keeps the instant).
    if v.tzinfo is not None and v.utcoffset():
        return json.dumps(_stored(v))
    naive = v.replace(tzinfo=None, microsecond=v.microsecond // 1000 * 1000)
    return f'{{"$date": "{naive.isoformat()}"}}'


_ENCODE: dict[type, Any] = {str: _string, float: float.__repr__, int: int.__repr__,
                            bool: lambda v: "true" if v else "false",
                            type(None): lambda _: "null", datetime: _date}


ISSUE = ("_id", "category", "state", "lat", "lng", "description", "created_at", "updated_at",
         "version", "created_ts", "dup_scope", "dup_key", *LISTING_KEYS)
ENTRY = ("_id", "issue_id", "state", "seq", "at", "page_key")
ORDER = ("_id", "issue_id", "state", "category", "opened_at", "created_at", "response_due_at",
         "resolution_due_at", "next_due_ts", "resolution_due_ts", *LISTINGS)
LINE = ("_id", "key", "kind", "at")


def skeletons(communities: list[dict], start: int, count: int, tag: str,
              now: float, until: int) -> Iterator[tuple]:
    """Per issue what both databases' documents derive from: the same on every call with
    the same arguments (so the intake and dispatch halves are written by two processes)."""
    rng = random.Random(f"{tag}:{start}")
    for n in range(start, start + count):
        state, _, has_order, steps = seed_bulk._pick_state(rng)
        created = (now - rng.uniform(60, seed_bulk.RECENT) if state != "closed"
                   else now - seed_bulk.YEAR + n / max(1, until) * seed_bulk.YEAR * 0.9)
        yield (n, communities[n % len(communities)], f"i-{tag}{n:08x}", state, has_order,
               steps, created, rng.choice(seed_bulk.CATEGORIES),
               39.9 + rng.uniform(-0.15, 0.15), 116.4 + rng.uniform(-0.15, 0.15))


def intake_values(sk: tuple) -> tuple[tuple, list[tuple]]:
    """The issue's values (ISSUE) and its timeline entries' (ENTRY), as intake writes them."""
    n, community, issue_id, state, _, steps, created, category, lat, lng = sk
    at = datetime.fromtimestamp(created, UTC)
    scope = dup_scope(community["id"], seed_bulk.BY_CODE[category], lat, lng)
    is_open = IssueState(state) in OPEN_STATES
    scopes = (community["id"], state_scope(community["id"], state), "u-bulk",
              community["street_id"], community["district_id"])
    issue = (issue_id, category, state, lat, lng, f"批量历史诉求 {n}", at,
             at + timedelta(hours=len(steps)), len(steps), created, scope,
             page_key(scope, created, issue_id) if is_open else None,
             *(page_key(s, created, issue_id) for s in scopes))
    entries = []
    for seq, step in enumerate(steps):
        e_id, e_at = f"{issue_id}:{seq}", at + timedelta(minutes=seq * 30)
        entries.append((e_id, issue_id, step, seq, e_at,
                        page_key(issue_id, e_at.timestamp(), f"{seq:09d}.{e_id}")))
    return issue, entries


def dispatch_values(sk: tuple, work: Any) -> tuple[tuple | None, list[tuple]]:
    """The order's values (ORDER) and its history lines' (LINE), as dispatch writes them."""
    _, _, issue_id, state, has_order, _, created, category, _, _ = sk
    if not has_order:
        return None, []
    at = datetime.fromtimestamp(created, UTC)
    oid, ostate = f"o-{issue_id}", seed_bulk.ORDER_STATE[state]
    due = at + timedelta(hours=72)
    work = replace(work, id=oid, state=OrderState(ostate), created_at=at, opened_at=at,
                   response_due_at=at + timedelta(hours=24), resolution_due_at=due)
    keys = derived(work)
    order = (oid, issue_id, ostate, category, at, at, work.response_due_at, due,
             keys["next_due_ts"], keys["resolution_due_ts"], *(keys[k] for k in LISTINGS))
    lines = [(f"{oid}|{k + 1}|0", f"{oid}|{k + 1}|0", kind, at + timedelta(minutes=k * 30))
             for k, kind in enumerate(seed_bulk.LINES[ostate])]
    return order, lines


def shapes(communities: list[dict]) -> dict[str, list[Shape]]:
    """Per community (the template carries its ids) the shape of each kind of document."""
    out: dict[str, list[Shape]] = {"issue": [], "entry": [], "order": [], "line": []}
    for c in communities:
        tpl = seed_bulk._templates(c)
        out["issue"].append(Shape(tpl["issue"], ISSUE))
        out["entry"].append(Shape(tpl["entry"], ENTRY))
        out["order"].append(Shape(tpl["order"], ORDER))
        out["line"].append(Shape(tpl["line"], LINE))
        out.setdefault("work", []).append(tpl["work"])  # type: ignore[arg-type]
    return out


def _write_half(half: str, path: Path, communities: list[dict], start: int, count: int,
                tag: str, now: float, say=print) -> dict[str, int]:
    """One database's documents for issues start..start+count, in one transaction."""
    tables = ("issues", "timeline") if half == "intake" else ("orders", "order_lines")
    sh = shapes(communities)
    index = {c["id"]: k for k, c in enumerate(communities)}
    writer = Writer(path)
    written = dict.fromkeys(tables, 0)
    began = time.perf_counter()
    try:
        for t in tables:
            writer.prepare(t)
        step = 20000
        for first in range(start, start + count, step):
            heads, tails = [], []
            for sk in skeletons(communities, first, min(step, start + count - first), tag, now,
                                start + count):
                k = index[sk[1]["id"]]
                if half == "intake":
                    head, rest = intake_values(sk)
                    heads.append((sh["issue"][k].render(head), head[0]))
                    tails += [(sh["entry"][k].render(v), v[0]) for v in rest]
                else:
                    head, rest = dispatch_values(sk, sh["work"][k])
                    if head is not None:
                        heads.append((sh["order"][k].render(head), head[0]))
                    tails += [(sh["line"][k].render(v), v[0]) for v in rest]
            writer.rows(tables[0], heads)
            writer.rows(tables[1], tails)
            written[tables[0]] += len(heads)
            written[tables[1]] += len(tails)
            if (first - start) % (step * 10) == 0 and first > start:
                say(f"seed_files {half}: {first - start:,} issues, "
                    f"{time.perf_counter() - began:.0f}s")
        inserted = time.perf_counter() - began
        indexed = writer.close()
    except BaseException:
        writer.abort()
        raise
    say(f"seed_files {half}: {count:,} issues, rows {inserted:.0f}s, indexes {indexed:.0f}s")
    return {**written, f"{half}_rows_s": round(inserted, 1), f"{half}_index_s": round(indexed, 1)}


def _child(conn: Any, *args: Any) -> None:
    try:
        conn.send(("ok", _write_half(*args)))
    except BaseException as exc:  # reported to the parent, which raises it
        conn.send(("error", repr(exc)))


def seed(data_dirs: dict[str, Path], communities: list[dict], count: int, start: int = 0,
         say=print) -> dict[str, float]:
    """Write `count` issues (spread over `communities`) with their timelines, orders and
    order lines into the stopped store(s): `data_dirs` maps a database name to the data
    directory that holds its file. Intake's half is written by a child process while this
    one writes dispatch's (two cores). Seconds and documents written."""
    import multiprocessing as mp

    began = time.perf_counter()
    tag, now = f"{random.getrandbits(16):04x}", time.time()
    ctx = mp.get_context("fork")
    ours, theirs = ctx.Pipe()
    child = ctx.Process(target=_child, args=(theirs, "intake", data_dirs[INTAKE] / f"{INTAKE}.db",
                                             communities, start, count, tag, now, say))
    child.start()
    try:
        written = _write_half("dispatch", data_dirs[DISPATCH] / f"{DISPATCH}.db", communities,
                              start, count, tag, now, say)
    finally:
        status, got = ours.recv()
        child.join()
    if status != "ok":
        raise RuntimeError(f"seed_files intake half failed: {got}")
    written = {**got, **written}
    total = sum(v for k, v in written.items() if not k.endswith("_s"))
    seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 1), "documents": total,
            "documents_per_s": round(total / seconds), **written}


def seed_stack(stack: Any, communities: list[dict], count: int, start: int = 0,
               say=print) -> dict[str, float]:
    """Stop the stack's embedded store(s), write the history, start them again and wait until
    they answer (the services reconnect on their own)."""
    from deploy import store

    stores = stack.stores()  # name -> uri
    root = Path(stack.settings.stack_dir).resolve()
    dirs = {}
    for db, process in ((INTAKE, "intake"), (DISPATCH, "dispatch")):
        uri = stack.mongo_uri_of(process)
        name = next(n for n, u in stores.items() if u == uri)
        dirs[db] = root / name
    names = sorted({p.name for p in dirs.values()})
    stopped_at = time.perf_counter()
    for name in names:
        if not stack.table.stop(name):
            raise SystemExit(f"{name} is not this stack's embedded store: not written to")
    try:
        result = seed({db: d / "data" if (d / "data").exists() else d
                       for db, d in dirs.items()}, communities, count, start, say)
    finally:
        started = [spec for name in names
                   if (spec := store.store_process(stack.settings, name, stores[name]))]
        stack._start_healthy(started)
    result["store_down_seconds"] = round(time.perf_counter() - stopped_at, 1)
    return result


def main() -> None:
    import tempfile

    from services.common.testing.embedded_store import EmbeddedStore

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--issues", type=int, default=100000)
    p.add_argument("--communities", type=int, default=10)
    p.add_argument("--standalone", action="store_true", required=True,
                   help="a throwaway embedded store with the services' indexes")
    p.add_argument("--keep", help="keep the store's data here (a directory to make)")
    args = p.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="linli-seedfiles-"))
    made = [{"id": f"c-{i}", "street_id": f"s-{i // 10}", "district_id": "d"}
            for i in range(args.communities)]
    store = EmbeddedStore(root).start()
    seed_bulk._indexed_store(store.uri)
    store.stop()
    result = seed({INTAKE: root / "data", DISPATCH: root / "data"}, made, args.issues)
    print(result, flush=True)
    store = EmbeddedStore(root, port=store.port).start()
    try:
        import pymongo

        c = pymongo.MongoClient(store.uri, tz_aware=True)
        print({"issues": c[INTAKE].issues.estimated_document_count(),
               "one": c[INTAKE].issues.find_one({"community_key": {"$gte": "c-0|"}},
                                                sort=[("community_key", -1)])}, flush=True)
    finally:
        store.stop()
        if not args.keep:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
