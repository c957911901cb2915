"""Evaluation's write path and reads on the embedded store, without the broker: the live
fold of a generated month (cases.apply: case commit + bucket moves), the figures reads the
gateway's routes make (31 and 366 days of one unit's buckets), and a rebuild.

    .venv/bin/python -m bench.evaluation_fold [--per-day 1] [--days 10]

It starts its own nx-27017 on a free port under a temporary directory and stops it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import mongoengine as me

from services.common.testing.embedded_store import EmbeddedStore
from services.evaluation import figures, rebuild
from services.evaluation.models import ALIAS, DOCUMENTS


def _timed(fn, runs: int = 20) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(samples), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=1)
    parser.add_argument("--days", type=int, default=10)
    args = parser.parse_args()
    from tests.evaluation import generated

    with tempfile.TemporaryDirectory() as root:
        store = EmbeddedStore(Path(root)).start()
        try:
            me.connect(db="bench_evaluation", host=store.uri, alias=ALIAS, tz_aware=True)
            for doc in DOCUMENTS:
                doc.ensure_indexes()
            began = time.perf_counter()
            month = generated.run(issues_per_day=args.per_day, days=args.days)
            fed = time.perf_counter() - began
            first = date(2026, 11, 1)
            month_read = _timed(lambda: figures.figures("district:gd0", first,
                                                        date(2026, 11, 30)))
            year_read = _timed(lambda: figures.figures("district:gd0", date(2026, 1, 1),
                                                       date(2026, 12, 31)))
            began = time.perf_counter()
            report = rebuild.rebuild()
            rebuilt = time.perf_counter() - began
            print(f"fed {month.applied} inputs in {fed:.1f} s "
                  f"({month.applied / fed:.1f} inputs/s, timer included); "
                  f"figures of one unit: 30 days {month_read} ms, 365 days {year_read} ms "
                  f"(median of 20); rebuild of {report.inputs} logged inputs into "
                  f"{report.buckets} buckets {rebuilt:.1f} s, equal={report.equal}")
        finally:
            me.disconnect(ALIAS)
            store.stop()


if __name__ == "__main__":
    main()
