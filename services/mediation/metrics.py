"""The mediation service's Prometheus metrics: cases by kind and outcome, time to
agreement, follow-ups, hall bookings; gauges from the counters (one read per refresh)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from services.common.aggregate import Committed

CASES = Counter("linli_mediation_cases_total", "Cases opened, by kind", ["kind"])
OUTCOMES = Counter("linli_mediation_outcomes_total", "Cases ended, by kind and outcome",
                   ["kind", "outcome"])
TIME_TO_AGREEMENT = Histogram("linli_mediation_time_to_agreement_seconds",
                              "From the case opened to the last signature",
                              buckets=(3600, 86400, 3 * 86400, 7 * 86400, 14 * 86400,
                                       30 * 86400, 90 * 86400))
FOLLOW_UPS = Counter("linli_mediation_follow_ups_total",
                     "Follow-ups fired (due) and recorded (kept, broken)", ["result"])
BOOKINGS = Counter("linli_mediation_bookings_total", "Meetings placed in a hall or unplaced",
                   ["result"])
OPEN_CASES = Gauge("linli_mediation_open_cases", "Cases not ended (from the counters)")


def observe(done: Committed) -> None:
    """Count what a commit did (by the events it wrote)."""
    if done.decision is None:
        return
    for event in done.decision.events:
        kind = type(event).__name__
        if kind == "CaseOpened":
            CASES.labels(event.kind).inc()
        elif kind == "CaseAgreed":
            TIME_TO_AGREEMENT.observe(event.seconds_to_agreement)
        elif kind == "CaseClosed":
            OUTCOMES.labels(event.kind, event.outcome).inc()
            if event.outcome == "agreement":
                FOLLOW_UPS.labels("kept" if event.follow_up_kept else "broken").inc()


def refresh() -> None:
    """The open cases over every district's counters (one bounded range on `_id`)."""
    from services.mediation.models import MediationCounts

    total = 0
    rows = MediationCounts._get_collection().find({"_id": {"$gte": "d:", "$lt": "d;"}})
    for row in rows.limit(200):
        ended = sum(int(row.get(f"state_{s}") or 0) for s in ("closed", "referred"))
        total += int(row.get("cases") or 0) - ended
    OPEN_CASES.set(total)
