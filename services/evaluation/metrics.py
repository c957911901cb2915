"""Evaluation's Prometheus gauges: the three rates of each community over the trailing 30
days (linli_evaluation_rate{community, rate}), refreshed from the buckets by a timer (one
bounded range read per community), and the figures' backlog."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from prometheus_client import Gauge

from services.evaluation import figures
from services.evaluation.domain import LOCAL
from services.evaluation.models import Case, RatingPolicy

TRAILING_DAYS = 30
COMMUNITIES_MAX = 2000  # gauges for at most this many communities per process

RATE = Gauge("linli_evaluation_rate",
             "响应率 / 解决率 / 满意率 of a community over the trailing 30 days (0..1)",
             ["community", "rate"])
RATED = Gauge("linli_evaluation_rated", "Ratings given over the trailing 30 days",
              ["community"])
PENDING = Gauge("linli_evaluation_pending_cases",
                "Cases whose counter moves are not yet in the buckets (a crash's leftovers)")


def today() -> date:
    return datetime.fromtimestamp(time.time(), LOCAL).date()


def refresh() -> None:
    end = today()
    start = end - timedelta(days=TRAILING_DAYS - 1)
    after = ""
    seen = 0
    coll = RatingPolicy._get_collection()
    while seen < COMMUNITIES_MAX:
        batch = list(coll.find({"_id": {"$gt": after}}, {"_id": 1}).sort("_id", 1).limit(200))
        for row in batch:
            rates = figures.figures(f"community:{row['_id']}", start, end)
            for name in ("response_rate", "resolution_rate", "satisfaction_rate"):
                value = getattr(rates, name)
                if value is not None:
                    RATE.labels(row["_id"], name.removesuffix("_rate")).set(value)
            RATED.labels(row["_id"]).set(rates.rated)
        seen += len(batch)
        if len(batch) < 200:
            break
        after = batch[-1]["_id"]
    PENDING.set(len(list(Case._get_collection().find({"deltas_flag": True}, {"_id": 1})
                         .limit(1000))))
