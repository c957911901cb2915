"""Dispatch's Prometheus metrics: open orders, claim latency, overdue, whistles, escalations."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from services.common.contracts.dispatch import OrderState
from services.common.contracts.workflow import LEVELS
from services.dispatch.domain.keys import ORDERS
from services.dispatch.models import EVERYWHERE, OrderTally

OPEN_ORDERS = Gauge("linli_dispatch_orders", "Orders not yet confirmed, by level and state",
                    ["level", "state"])
OVERDUE = Gauge("linli_dispatch_overdue_orders", "Active orders past their resolution deadline")
CLAIM_LATENCY = Histogram("linli_dispatch_claim_latency_seconds",
                          "From an order opening to its claim (抢单)",
                          buckets=(10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600))
WHISTLES = Counter("linli_dispatch_whistles_total", "Whistles blown (吹哨)")
REPORT_IN_LATENCY = Histogram("linli_dispatch_report_in_latency_seconds",
                              "From a whistle to a unit or member reporting in (报到)",
                              buckets=(60, 300, 900, 1800, 3600, 4 * 3600))
REPORT_INS_MISSED = Counter("linli_dispatch_report_ins_missed_total",
                            "Report-ins that missed their deadline")
ESCALATIONS = Counter("linli_dispatch_escalations_total", "Orders escalated (上报), by cause",
                      ["cause"])

STATES = tuple(s for s in OrderState if s not in (OrderState.confirmed, OrderState.merged))


def refresh() -> None:
    """Set the gauges from the deployment's tally (one read: each replica reports the same)."""
    tally = OrderTally.figures(EVERYWHERE)
    for level in LEVELS:
        for state in STATES:
            OPEN_ORDERS.labels(level.value, state.value).set(
                tally.get(f"{ORDERS}{level.value}/{state.value}", 0))
    OVERDUE.set(tally.get("overdue", 0))
