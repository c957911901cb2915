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
from pymongo import monitoring

from services.common.testing.embedded_store import EmbeddedStore
from services.evaluation import figures, rebuild
from services.evaluation.models import ALIAS, DOCUMENTS


class _Commands(monitoring.CommandListener):
    """Store commands sent (round trips) and the time spent waiting for their answers."""

    def __init__(self) -> None:
        self.sent = 0
        self.waited_us = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self.waited_us += event.duration_micros

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self.waited_us += event.duration_micros

    def take(self) -> tuple[int, float]:
        got = (self.sent, self.waited_us / 1e6)
        self.sent, self.waited_us = 0, 0
        return got


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

    commands = _Commands()
    monitoring.register(commands)

    with tempfile.TemporaryDirectory() as root:
        store = EmbeddedStore(Path(root)).start()
        try:
            me.connect(db="bench_evaluation", host=store.uri, alias=ALIAS, tz_aware=True)
            for doc in DOCUMENTS:
                doc.ensure_indexes()
            commands.take()
            began = time.perf_counter()
            month = generated.run(issues_per_day=args.per_day, days=args.days)
            fed = time.perf_counter() - began
            fed_sent, fed_waited = commands.take()
            first = date(2026, 11, 1)
            month_read = _timed(lambda: figures.figures("district:gd0", first,
                                                        date(2026, 11, 30)))
            year_read = _timed(lambda: figures.figures("district:gd0", date(2026, 1, 1),
                                                       date(2026, 12, 31)))
            commands.take()
            began = time.perf_counter()
            report = rebuild.rebuild()
            rebuilt = time.perf_counter() - began
            rebuild_sent, _ = commands.take()
            print(f"fed {month.applied} inputs in {fed:.1f} s "
                  f"({month.applied / fed:.1f} inputs/s, timer included; {fed_sent} store "
                  f"commands, {fed_sent / month.applied:.1f} per input, {fed_waited:.1f} s "
                  f"waiting on the store); "
                  f"figures of one unit: 30 days {month_read} ms, 365 days {year_read} ms "
                  f"(median of 20); rebuild of {report.inputs} logged inputs into "
                  f"{report.buckets} buckets {rebuilt:.1f} s ({rebuild_sent} store commands), "
                  f"equal={report.equal}")
        finally:
            me.disconnect(ALIAS)
            store.stop()


if __name__ == "__main__":
    main()
