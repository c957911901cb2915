"""Through the gateway with the points service running: a wish posted → claimed →
fulfilled → hours logged → points posted; an activity attended pays once."""

from __future__ import annotations

import time
import uuid

from deploy.waits import wait_until
from tests.dispatch.helpers import token_headers
from tests.volunteers.helpers import profile_body, wait_events


def _active(client, headers: dict) -> int:  # noqa: ANN001
    response = client.get("/points/balance", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["active"]


def test_a_fulfilled_wish_and_its_hours_are_paid_by_points_once(vplatform):
    client = vplatform.client
    resident = token_headers(vplatform, "resident", f"u-res-{uuid.uuid4().hex[:6]}")
    volunteer = token_headers(vplatform, "volunteer", f"u-vol-{uuid.uuid4().hex[:6]}")
    client.put("/volunteers/profile", headers=volunteer, json=profile_body())
    assert _active(client, volunteer) == 0
    wish = client.post("/wishes", headers=resident, json={
        "title": "修水龙头", "detail": "厨房水龙头滴水", "skill": "plumbing",
        "hours": 1.0}).json()
    assert client.post(f"/wishes/{wish['id']}/claim", headers=volunteer).status_code == 200
    for _ in range(2):  # a repeated confirmation pays nothing more
        assert client.post(f"/wishes/{wish['id']}/fulfil", headers=resident,
                           json={"rating": 4}).status_code == 200
    wait_events("volunteer.hours_logged", source_id=wish["id"])
    # Points' default rules: 8 for a fulfilled wish, 10 an hour of volunteering.
    assert wait_until(lambda: _active(client, volunteer) == 18, timeout=15, every=0.3), (
        _active(client, volunteer))
    time.sleep(0.5)
    assert _active(client, volunteer) == 18
