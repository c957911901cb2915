"""An issue merged into another after its order was made: intake's `issue.merged` folds the
duplicate's order (state `merged`, deadlines off, the holder's claim freed), once."""

from __future__ import annotations

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.intake import IssueMerged
from services.dispatch.service import DispatchService
from tests.dispatch.helpers import grid_tree, token_headers, triage


def _merge(platform, duplicate: str, original: str) -> None:
    """Publish intake's issue.merged as intake does; wait for dispatch to apply it."""
    community = platform.tenancy().communities["A"]
    event = new_event(IssueMerged(issue_id=duplicate, original_id=original,
                                  community_id=community["id"], supporters=2),
                      Caller.system(), community["id"])
    with entrypoint_waiter(platform.containers["dispatch"], "on_issue_merged", timeout=10):
        event_dispatcher(platform.config)("intake", "issue.merged", event.to_message())


def test_merging_an_issue_folds_its_open_order_once(platform):
    client = platform.start(DispatchService)
    ids = grid_tree(platform)
    original = triage(platform, grid_id=ids["W1"])
    duplicate = triage(platform, grid_id=ids["W1"])
    worker = token_headers(platform, "grid_worker", "u-gw-w1", grid_id=ids["W1"])
    admin = platform.headers("community_admin")
    assert client.post(f"/orders/o-{duplicate}/claim", headers=worker).status_code == 200

    _merge(platform, duplicate, original)
    folded = client.get(f"/orders/o-{duplicate}", headers=admin).json()
    assert folded["state"] == "merged"
    assert folded["timeline"][-1]["kind"] == "merged"
    assert folded["timeline"][-1]["reason"] == f"merged into o-{original}"
    # nobody works it any more: its claim is gone and a result is refused
    refused = client.post(f"/orders/o-{duplicate}/result", headers=worker,
                          json={"result": "修好了", "evidence": []})
    assert refused.status_code in (403, 409), refused.text
    assert client.get(f"/orders/o-{original}", headers=admin).json()["state"] == "open"

    _merge(platform, duplicate, original)  # a redelivery (a new event id): nothing changes
    again = client.get(f"/orders/o-{duplicate}", headers=admin).json()
    assert [t["kind"] for t in again["timeline"]] == [t["kind"] for t in folded["timeline"]]
    # the worker's claim slot was freed: they may claim the original
    assert client.post(f"/orders/o-{original}/claim", headers=worker).status_code == 200


def test_merging_an_issue_without_an_order_is_a_no_op(platform):
    platform.start(DispatchService)
    original = triage(platform)
    _merge(platform, "i-never-triaged", original)  # applied without error, nothing made
