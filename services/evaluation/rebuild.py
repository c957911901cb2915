"""Rebuild the figures from evaluation's own log of applied inputs, and compare.

    python -m services.evaluation.rebuild            # replay, write rebuilt_buckets, compare
    python -m services.evaluation.rebuild --replace  # ... and make them the live buckets

The log (`input_log`, one entry per case version) is read in key order (`<case>|<version>`)
by keyset pages, each case's inputs folded from an empty state through the same
`domain.step` the live path uses, every delta summed per bucket. Since the live buckets
are the sum of the same deltas applied once each, the two must be equal byte for byte
(`figures.canonical`: every counter and histogram bin, marks left out).

Entries still riding in a case (not yet moved by the relay) are moved first: moving is
insert-only by id, so running beside the relay is harmless. Round trips are batched: one
bulk write per page of cases to move, one read per page of the log, one insert per page of
rebuilt buckets, and the log is read once (the figures and the marks in one pass).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from services.common.outbox import move_history
from services.evaluation import domain, figures
from services.evaluation.models import Bucket, Case, LoggedInput, RebuiltBucket

PAGE = 500


@dataclass(frozen=True)
class Report:
    cases: int
    inputs: int
    buckets: int
    live: str  # canonical text of the live buckets
    rebuilt: str

    @property
    def equal(self) -> bool:
        return self.live == self.rebuilt


def _move_pending() -> None:
    """The log entries still riding in cases into the log: one bulk write of insert-only
    upserts (`outbox.move_history`) per page of cases."""
    coll = Case._get_collection()
    after = ""
    while True:
        batch = list(coll.find({"outbox_pending": True, "_id": {"$gt": after}},
                               {"history_pending": 1}).sort("_id", 1).limit(PAGE))
        move_history(Case, [row for doc in batch for row in doc.get("history_pending") or []])
        if len(batch) < PAGE:
            return
        after = batch[-1]["_id"]


def _log() -> Any:
    """Every log entry in replay order, a keyset page at a time (one round trip each)."""
    coll = LoggedInput._get_collection()
    after = ""
    while True:
        batch = list(coll.find({"key": {"$gt": after}}).sort("key", 1).limit(PAGE)
                     .batch_size(PAGE))
        yield from batch
        if len(batch) < PAGE:
            return
        after = batch[-1]["key"]


@dataclass
class Replayed:
    totals: dict[tuple[str, str], dict[str, int]]  # {(unit, day): {name: amount}}
    marks: dict[str, dict[str, int]]  # {bucket id: {case: last logged version moving it}}
    cases: int
    inputs: int


def replay() -> Replayed:
    """Fold the whole log from empty cases, once: the figures and each bucket's marks."""
    totals: dict[tuple[str, str], dict[str, int]] = {}
    marks: dict[str, dict[str, int]] = {}
    state: domain.Case | None = None
    cases = inputs = 0
    for row in _log():
        if state is None or state.id != row["case_id"]:
            state = domain.Case(id=row["case_id"])
            cases += 1
        result = domain.step(state, domain.Input(row["kind"], row["at"], row.get("data") or {}))
        state = result.case
        inputs += 1
        for delta in result.deltas:
            cell = totals.setdefault((delta.unit, delta.day), {})
            cell[delta.name] = cell.get(delta.name, 0) + delta.amount
            seen = marks.setdefault(figures.bucket_id(delta.unit, delta.day), {})
            seen[figures._mark(row["case_id"])[6:]] = int(row["version"])
    return Replayed(totals, marks, cases, inputs)


def rebuild(replace: bool = False) -> Report:
    _move_pending()
    done = replay()
    RebuiltBucket._get_collection().delete_many({})
    docs = []
    for (unit, day), flat in sorted(done.totals.items()):
        bid = figures.bucket_id(unit, day)
        nested = figures.nest(flat)
        docs.append({"_id": bid, "key": bid, "c": nested.get("c", {}), "h": nested.get("h", {})})
    for start in range(0, len(docs), PAGE):
        RebuiltBucket._get_collection().insert_many(docs[start:start + PAGE])
    live = figures.canonical(figures.all_rows(Bucket))
    rebuilt = figures.canonical(figures.all_rows(RebuiltBucket))
    if replace and live != rebuilt:
        Bucket._get_collection().delete_many({})
        for start in range(0, len(docs), PAGE):
            Bucket._get_collection().insert_many(
                [d | {"marks": done.marks.get(d["_id"], {})} for d in docs[start:start + PAGE]])
    return Report(done.cases, done.inputs, len(docs), live, rebuilt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replace", action="store_true",
                        help="make the rebuilt figures the live ones if they differ")
    args = parser.parse_args(argv)
    import mongoengine as me

    from services.common.config import Settings
    from services.evaluation.models import ALIAS

    settings = Settings()
    me.connect(db=settings.db_name(ALIAS), host=settings.mongo_uri, alias=ALIAS, tz_aware=True)
    report = rebuild(replace=args.replace)
    print(f"{report.cases} cases, {report.inputs} inputs, {report.buckets} buckets: "
          f"{'equal' if report.equal else 'DIFFERENT'}")
    return 0 if report.equal else 1


if __name__ == "__main__":
    sys.exit(main())
