"""A route whose service is not running answers a prompt 503 in the one error shape naming the
service (was a 500: nameko's UnknownService, no queue bound), and the proxy stays usable."""

from __future__ import annotations

import time

from tests.platform import error_of


def test_a_route_of_a_service_that_is_not_running_is_a_prompt_503(platform):
    client = platform.start()  # identity and the gateway only: no points process
    admin = platform.headers("community_admin")
    community_id = platform.community_id("A")
    for _ in range(3):  # the same pooled proxy answers each time
        started = time.perf_counter()
        down = client.get(f"/points/ledger?community_id={community_id}", headers=admin)
        assert down.status_code == 503, down.text
        assert error_of(down)["code"] == "unavailable"
        assert error_of(down)["fields"] == {"service": "points"}
        assert time.perf_counter() - started < 5  # not the RPC timeout
    assert client.get("/auth/me", headers=admin).status_code == 200
