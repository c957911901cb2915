"""The deliberation service's Prometheus metrics: topics and meetings by state, turnout,
ballots, decisions approved.

Gauges come from the counters the commits move (`models.DeliberationCounts`), one read
per refresh; counters are moved where the thing happens.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from services.common.contracts.deliberation import (
    MeetingState,
    RepresentativeKind,
    TopicState,
)
from services.deliberation.models import EVERYWHERE, DeliberationCounts

TOPICS = Gauge("linli_deliberation_topics", "Topics by state (from the commits' counters)",
               ["state"])
MEETINGS = Gauge("linli_deliberation_meetings", "Meetings by state (from the commits' counters)",
                 ["state"])
REPRESENTATIVES = Gauge("linli_deliberation_representatives",
                        "People on the representatives rosters, by kind (commits' counters)",
                        ["kind"])
BALLOTS = Counter("linli_deliberation_ballots_total", "Ballots accepted (one per household)")
BALLOTS_REFUSED = Counter("linli_deliberation_ballots_refused_total",
                          "Ballots refused, by reason", ["reason"])
TURNOUT = Histogram("linli_deliberation_turnout_ratio",
                    "Share of eligible households that voted, per closed vote",
                    buckets=(0.1, 0.25, 0.5, 0.6667, 0.75, 0.9, 1.0))
DECISIONS = Counter("linli_deliberation_decisions_total", "Decisions by outcome",
                    ["outcome"])
EXECUTED = Counter("linli_deliberation_decisions_executed_total",
                   "Decisions whose every work order was confirmed, on time or late", ["timing"])
OVERDUE = Counter("linli_deliberation_decisions_overdue_total",
                  "Decisions still open at their plan's deadline (督)")
ESCALATED = Counter("linli_deliberation_decisions_escalated_total",
                    "Overdue decisions escalated to their street (督)")
BOOKINGS_REFUSED = Counter("linli_deliberation_bookings_refused_total",
                           "Hall bookings that lost a slot to another booking")


def refresh() -> None:
    row = DeliberationCounts._get_collection().find_one({"_id": EVERYWHERE}) or {}
    for state in TopicState:
        TOPICS.labels(state.value).set(row.get(f"topics_{state.value}") or 0)
    for state in MeetingState:
        MEETINGS.labels(state.value).set(row.get(f"meetings_{state.value}") or 0)
    for kind in RepresentativeKind:
        REPRESENTATIVES.labels(kind.value).set(row.get(f"representatives_{kind.value}") or 0)
