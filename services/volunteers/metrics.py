"""The volunteers service's Prometheus metrics: volunteers by skill, matches, hours, wishes.

Gauges come from the tally the writers move (`models.Tally`), one read per refresh;
counters are moved where the thing happens.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from services.volunteers.models import EVERYWHERE, Tally

VOLUNTEERS_BY_SKILL = Gauge("linli_volunteers_by_skill",
                            "Consenting volunteers holding a skill (from the writers' tally)",
                            ["skill"])
VOLUNTEERS = Gauge("linli_volunteers", "Consenting volunteer profiles")
OPEN_WISHES = Gauge("linli_volunteers_open_wishes", "Micro-wishes on the boards, unclaimed")
HOURS_TOTAL = Gauge("linli_volunteers_hours", "Volunteer hours logged, all time (tally)")
MATCHES = Counter("linli_volunteers_matches_total",
                  "Match offers by outcome (offered, accepted, declined, timed_out, exhausted)",
                  ["outcome"])
HOURS_LOGGED = Counter("linli_volunteers_hours_logged_total",
                       "Volunteer hours logged by this process, by source", ["source"])
CHECK_INS = Counter("linli_volunteers_check_ins_total", "Activity check-ins (first use of a code)")


def refresh() -> None:
    figures = Tally.figures(EVERYWHERE)
    for key, value in figures.items():
        if key.startswith("skill:"):
            VOLUNTEERS_BY_SKILL.labels(key.removeprefix("skill:")).set(value)
    VOLUNTEERS.set(figures.get("volunteers", 0))
    OPEN_WISHES.set(figures.get("open_wishes", 0))
    # `hours`: what writers added before the counters moved with the commit (never again).
    HOURS_TOTAL.set(figures.get("hours", 0) + figures.get("hour_minutes", 0) / 60)
