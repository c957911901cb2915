"""Satisfaction through the gateway with the running services (intake, dispatch, evaluation):
resolve → unsatisfied → the order reopened in dispatch → resolved again → satisfied →
closed, and the community's rates move as they should at each step."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from deploy.waits import wait_until
from services.dispatch.service import DispatchService
from services.evaluation.domain import LOCAL
from services.evaluation.service import EvaluationService
from services.intake.service import IntakeService
from tests.dispatch.helpers import token_headers
from tests.platform import error_of


def _today() -> str:
    return datetime.now(LOCAL).date().isoformat()


def _work(client, order_id: str, worker: dict, admin: dict) -> None:
    for step in ("claim", "acknowledge"):
        answered = client.post(f"/orders/{order_id}/{step}", headers=worker)
        assert answered.status_code == 200, answered.text
    result = client.post(f"/orders/{order_id}/result", headers=worker,
                         json={"result": "路灯已修复", "evidence": ["photo://after"]})
    assert result.status_code == 200, result.text
    confirmed = client.post(f"/orders/{order_id}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text


def _rate_when_ready(client, issue_id: str, headers: dict, level: str) -> dict:
    """Rate once evaluation has heard the issue is resolved (409 until then)."""
    answers: list = []

    def rated() -> bool:
        answers[:] = [client.post(f"/issues/{issue_id}/rate", headers=headers,
                                  json={"level": level, "comment": "看看"})]
        return answers[0].status_code != 409
    assert wait_until(rated, timeout=10, every=0.1), answers[0].text
    assert answers[0].status_code == 200, answers[0].text
    return answers[0].json()


@pytest.mark.timeout(300)  # several services in-process: slow on a loaded machine
def test_unsatisfied_reopens_once_and_satisfied_closes_with_the_rates_moving(platform):
    client = platform.start(IntakeService, DispatchService, EvaluationService)
    resident, admin = platform.headers("resident"), platform.headers("community_admin")
    community_id = platform.community_id("A")
    filed = client.post("/issues", headers=resident, json={
        "community_id": community_id, "category": "street_lighting", "channel": "app",
        "description": "3 号楼前的路灯一周没亮了", "location": {"address": "3 号楼"}})
    assert filed.status_code == 201, filed.text
    issue_id, order_id = filed.json()["id"], f"o-{filed.json()['id']}"
    assert client.post(f"/issues/{issue_id}/triage", headers=admin, json={}).status_code == 200
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).status_code
                      == 200, timeout=10, every=0.1)
    order = client.get(f"/orders/{order_id}", headers=admin).json()
    worker = token_headers(platform, "grid_worker", "u-gw-eval", grid_id=order["grid_id"])

    def issue_state() -> str:
        return client.get(f"/issues/{issue_id}", headers=admin).json()["state"]

    def rates() -> dict:
        """Today and the coming weeks: an item counts in the day of its deadline."""
        got = client.get("/evaluation/figures", headers=admin, params={
            "unit": "community", "unit_id": community_id, "start": _today(),
            "end": (datetime.now(LOCAL).date() + timedelta(days=60)).isoformat()})
        assert got.status_code == 200, got.text
        return got.json()["rates"]

    # before resolution there is nothing to rate
    early = client.post(f"/issues/{issue_id}/rate", headers=resident, json={"level": "satisfied"})
    assert early.status_code in (404, 409), early.text
    _work(client, order_id, worker, admin)
    assert wait_until(lambda: issue_state() == "resolved", timeout=10, every=0.1)

    # a neighbour who reported nothing cannot rate: the issue does not exist for them
    neighbour = platform.headers("resident", "A", "2")
    refused = client.post(f"/issues/{issue_id}/rate", headers=neighbour,
                          json={"level": "satisfied"})
    assert refused.status_code == 404 and error_of(refused)["code"] == "not_found"

    first = _rate_when_ready(client, issue_id, resident, "unsatisfied")
    assert (first["outcome"], first["round"]) == ("reopen", 1)
    assert wait_until(lambda: client.get(f"/orders/{order_id}", headers=admin).json()["state"]
                      == "open", timeout=10, every=0.1)
    assert issue_state() == "reopened"
    assert wait_until(lambda: rates()["unsatisfied"] == 1, timeout=10, every=0.1)
    after_first = rates()
    assert (after_first["rated"], after_first["satisfaction_rate"], after_first["reopened"],
            after_first["response_due"], after_first["response_on_time"],
            after_first["resolution_due"], after_first["resolution_on_time"]) == (
        1, 0.0, 1, 1, 1, 1, 1)
    assert (after_first["response_rate"], after_first["resolution_rate"]) == (1.0, 1.0)
    again = client.post(f"/issues/{issue_id}/rate", headers=resident,
                        json={"level": "unsatisfied"})
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"

    _work(client, order_id, worker, admin)  # round 2
    assert wait_until(lambda: issue_state() == "resolved", timeout=10, every=0.1)
    second = _rate_when_ready(client, issue_id, resident, "satisfied")
    assert (second["outcome"], second["round"]) == ("close", 2)
    assert wait_until(lambda: issue_state() == "closed", timeout=10, every=0.1)
    assert wait_until(lambda: rates()["satisfied"] == 1, timeout=10, every=0.1)
    final = rates()
    assert (final["rated"], final["satisfied"], final["unsatisfied"],
            final["satisfaction_rate"], final["reopened"]) == (2, 1, 1, 0.5, 1)
    assert (final["response_due"], final["response_on_time"], final["resolution_due"],
            final["resolution_on_time"], final["response_overdue"]) == (2, 2, 2, 2, 0)
    assert final["respond_median_s"] is not None and final["received"] == 1

    timeline = client.get(f"/issues/{issue_id}/timeline", headers=resident,
                          params={"limit": 100}).json()["items"]
    assert [e["state"] for e in timeline][-3:] == ["resolved", "rated", "closed"]

    # the same figures for the grid, per day across a week, and the rating window
    week = client.get("/evaluation/series", headers=admin, params={
        "unit": "community", "unit_id": community_id, "period": "day",
        "start": (datetime.now(LOCAL).date() - timedelta(days=6)).isoformat(),
        "end": _today()})
    assert week.status_code == 200, week.text
    points = week.json()["points"]
    assert len(points) == 7 and points[-1]["rates"]["rated"] == 2
    assert sum(p["rates"]["rated"] for p in points) == 2
    window = client.put(f"/evaluation/policy/{community_id}", headers=admin,
                        json={"window_days": 3})
    assert window.status_code == 200 and window.json()["window_days"] == 3
