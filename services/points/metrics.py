"""Points' Prometheus metrics: issued and spent by reason, redemptions by state,
confirmation latency (request → counter) and the ledger verification's drift."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

POINTS_ISSUED = Counter("linli_points_issued_total", "Points issued to residents, by reason",
                        ["reason"])
POINTS_SPENT = Counter("linli_points_spent_total", "Points spent or expired, by reason",
                       ["reason"])
REDEMPTIONS = Counter("linli_points_redemptions_total", "Redemptions entering a state",
                      ["state"])
CONFIRM_LATENCY = Histogram("linli_points_confirmation_latency_seconds",
                            "From a redemption's request to the merchant's confirmation",
                            buckets=(10, 30, 60, 120, 300, 600, 900, 1800))
LEDGER_DRIFT = Gauge("linli_points_ledger_drift",
                     "Σ |balance − Σ postings| found by the last verification, per community "
                     "(+1 when its books do not sum to zero)", ["community_id"])
POSTINGS_SWEPT = Counter("linli_points_postings_swept_total",
                         "Postings the sweeper finished after their applier's lease ran out")
