from services.dispatch.service import DispatchService
from tests.dispatch.helpers import grid_tree, triage


def test_a_triaged_issue_becomes_one_order_at_its_grid(platform):
    client = platform.start(DispatchService)
    ids = grid_tree(platform)
    issue_id = triage(platform, grid_id=ids["W1"])
    triage_again = client  # noqa: F841
    worker = platform.headers("grid_worker", "A", "w1", grid_id=ids["W1"])
    response = client.get(f"/orders/o-{issue_id}", headers=worker)
    assert response.status_code == 200, response.text
    order = response.json()
    assert order["level"] == "grid" and order["grid_id"] == ids["W1"]
    assert client.post(f"/orders/o-{issue_id}/claim", headers=worker).status_code == 200
