"""Intake with the real dispatch service: dispatch places the issue in a grid, makes the work
order from issue.triaged, and intake follows the order's events."""

from __future__ import annotations

from nameko.testing.services import entrypoint_waiter

from services.dispatch.service import DispatchService
from services.intake.service import IntakeService
from tests.intake.helpers import file_issue, sign_in


def test_a_triaged_issue_becomes_a_work_order_and_the_issue_is_dispatched(platform):
    client = platform.start(IntakeService, DispatchService)
    issue = file_issue(platform)
    with entrypoint_waiter(platform.containers["intake"], "on_order_created", timeout=10):
        triaged = client.post(f"/issues/{issue['id']}/triage",
                              headers=sign_in(platform, "community_admin"), json={})
        assert triaged.status_code == 200
    got = client.get(f"/issues/{issue['id']}", headers=sign_in(platform, "resident"))
    assert got.json()["state"] == "dispatched"
    steps = client.get(f"/issues/{issue['id']}/timeline", headers=sign_in(platform, "resident"))
    assert [e["state"] for e in steps.json()] == ["received", "triaged", "dispatched"]
