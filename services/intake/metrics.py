"""Intake's domain metrics (served on the service's /metrics with the common ones)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

ISSUES_RECEIVED = Counter(
    "linli_issues_received_total", "Issues received, by channel and category",
    ["channel", "category"])
TRIAGE_OUTCOMES = Counter(
    "linli_issue_triage_total", "Triage decisions (三事分流 route, 四类事 class, urgency, source)",
    ["route", "issue_class", "urgency", "source"])
ISSUE_TRANSITIONS = Counter(
    "linli_issue_transitions_total", "Lifecycle steps", ["from_state", "to_state"])
OPEN_ISSUES = Gauge(
    "linli_open_issues", "Issues not yet closed, rejected or merged, by state", ["state"])
