"""Intake's Prometheus metrics: received by channel and category, triage outcomes, open by state."""

from __future__ import annotations

from nameko.testing.services import worker_factory
from prometheus_client import REGISTRY

from deploy.waits import wait_until
from services.intake.service import IntakeService
from tests.intake.helpers import file_issue, sign_in


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_received_triaged_and_open_issues_are_counted(platform):
    client = platform.start(IntakeService)
    received = _value("linli_issues_received_total", channel="grid_patrol", category="noise")
    by_category = _value("linli_issue_triage_total", route="community", issue_class="public",
                         urgency="normal", source="category")
    by_admin = _value("linli_issue_triage_total", route="community", issue_class="public",
                      urgency="normal", source="admin")
    issue = file_issue(platform, role="grid_worker", channel="grid_patrol", category="noise",
                       attributes={"source": "construction"})
    file_issue(platform)
    assert _value("linli_issues_received_total", channel="grid_patrol",
                  category="noise") == received + 1
    # restating the category's own triage is a confirmation, not an admin override
    confirmed = client.post(f"/issues/{issue['id']}/triage",
                            headers=sign_in(platform, "community_admin"),
                            json={"urgency": "normal", "issue_class": "public",
                                  "route": "community"})
    assert confirmed.status_code == 200, confirmed.text
    again = client.post(f"/issues/{issue['id']}/triage",
                        headers=sign_in(platform, "community_admin"), json={})
    assert again.status_code == 409  # a refused step counts nothing
    assert _value("linli_issue_triage_total", route="community", issue_class="public",
                  urgency="normal", source="category") == by_category + 1
    assert _value("linli_issue_triage_total", route="community", issue_class="public",
                  urgency="normal", source="admin") == by_admin

    def gauges() -> tuple[float, float]:
        worker_factory(IntakeService).refresh_open_issues()  # what the 15 s timer runs
        return (_value("linli_open_issues", state="received"),
                _value("linli_open_issues", state="triaged"))

    # the counters follow intake's own events, a moment after the answers
    assert wait_until(lambda: gauges() == (1, 1), timeout=10, every=0.1), gauges()
