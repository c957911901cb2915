"""Items other services send (here volunteers' `evaluation_item.opened`, over the broker):
the person served rates the service through the gateway, once; the volunteer's figures
move (三评议 is in test_scope_and_reports.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.evaluation import EvaluationItemOpened
from services.evaluation.domain import LOCAL
from services.evaluation.models import RatingPolicy
from services.evaluation.service import EvaluationService
from tests.platform import error_of


@pytest.mark.timeout(300)  # several services in-process: slow on a loaded machine
def test_the_person_served_rates_a_volunteers_service_once(platform):
    client = platform.start(EvaluationService)
    community_id = platform.community_id("A")
    assert wait_until(lambda: RatingPolicy.objects(id=community_id).first() is not None,
                      timeout=10, every=0.1)
    served = platform.user("resident", "A")
    item = EvaluationItemOpened(
        item_id="svc-1", kind="volunteer_service", community_id=community_id,
        title="陪同就医", subject_id="vol-7", raters=[served["id"]],
        closes_at=datetime.now(UTC) + timedelta(days=7))
    event = new_event(item, Caller.system(), community_id)
    with entrypoint_waiter(platform.containers["evaluation"], "on_volunteers_item", timeout=10):
        event_dispatcher(platform.config)("volunteers", "evaluation_item.opened",
                                          event.to_message())

    resident = platform.headers("resident", "A")
    rated = client.post("/evaluation/items/svc-1/rate", headers=resident,
                        json={"score": 5, "comment": "很耐心"})
    assert rated.status_code == 200, rated.text
    assert (rated.json()["ratings"], rated.json()["mean_score"]) == (1, 5.0)
    again = client.post("/evaluation/items/svc-1/rate", headers=resident, json={"score": 1})
    assert again.status_code == 409
    neighbour = client.post("/evaluation/items/svc-1/rate",
                            headers=platform.headers("resident", "A", "2"), json={"score": 1})
    assert neighbour.status_code == 404 and error_of(neighbour)["fields"] == {
        "item_id": "unknown"}
    assert client.post("/evaluation/items/svc-1/rate", headers=resident,
                       json={"score": 6}).status_code == 422

    admin = platform.headers("community_admin", "A")
    today = datetime.now(LOCAL).date().isoformat()
    volunteer = client.get("/evaluation/figures", headers=admin, params={
        "unit": "volunteer", "unit_id": "vol-7", "start": today, "end": today})
    assert volunteer.status_code == 200, volunteer.text
    assert volunteer.json()["rates"]["item_mean_score"] == 5.0
    assert client.get("/evaluation/figures", headers=platform.headers("community_admin", "B"),
                      params={"unit": "volunteer", "unit_id": "vol-7", "start": today,
                              "end": today}).status_code == 404
