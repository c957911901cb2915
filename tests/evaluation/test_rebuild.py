"""Incremental and rebuildable: a generated month of 4 communities fed to the live path
(with crashes between commits and buckets, and redeliveries) gives figures that a replay
of evaluation's own log reproduces byte for byte."""

from __future__ import annotations

import os
import time
from datetime import date

import pytest

from services.evaluation import figures, rebuild
from services.evaluation.models import Bucket
from tests.evaluation import generated

# ~1,900 inputs at 2 issues a day per community; raise it for a heavier run.
PER_DAY = int(os.environ.get("LINLI_EVAL_MONTH_ISSUES_PER_DAY", "2"))


@pytest.mark.timeout(600)  # ~5 store round trips per input: slow on a loaded machine
def test_rebuild_from_the_log_equals_the_incremental_figures_byte_for_byte(evaluation_db):
    began = time.perf_counter()
    month = generated.run(issues_per_day=PER_DAY)
    fed = time.perf_counter() - began
    report = rebuild.rebuild()
    print(f"\nmonth: {month.applied} inputs applied ({month.redelivered} redelivered, "
          f"{len(month.left_pending)} left pending, {month.refused} ratings refused) in "
          f"{fed:.1f} s; rebuild: {report.cases} cases, {report.inputs} inputs, "
          f"{report.buckets} buckets, {len(report.live)} bytes")
    assert report.inputs >= 900 * PER_DAY and report.cases >= 110 * PER_DAY
    assert month.redelivered > 0 and month.left_pending and month.refused > 0
    assert report.equal, "rebuilt figures differ from the live ones"
    assert report.live == report.rebuilt and len(report.live) > 10_000

    # the month has every kind of figure the rules name
    district = figures.figures("district:gd0", date(2026, 10, 25), date(2026, 12, 31))
    assert district.response_open_overdue > 0 and district.resolution_open_overdue > 0
    assert district.response_overdue > district.response_open_overdue
    assert district.not_rated > 0 and district.reopened > 0 and district.unsatisfied > 0
    assert 0 < district.response_rate < 1 and 0 < district.satisfaction_rate < 1
    assert district.whistles > 0
    police = figures.figures("department:gc0.police", date(2026, 10, 25), date(2026, 12, 31))
    assert police.report_ins > 0 and police.report_ins_missed > 0
    assert police.report_in_median_s is not None

    # a rebuild that replaces the live figures when they are broken puts them back
    Bucket._get_collection().update_one({"key": {"$gt": ""}}, {"$inc": {"c.received": 5}})
    fixed = rebuild.rebuild(replace=True)
    assert not fixed.equal  # it compared before replacing
    assert figures.canonical(figures.all_rows(Bucket)) == fixed.rebuilt
