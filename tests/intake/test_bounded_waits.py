"""What intake still asks another service is bounded: a community it has not met is fetched
from identity within LINLI_RPC_TIMEOUT_SECONDS; with identity down that is a 503 and nothing
is stored (no ghost write)."""

from __future__ import annotations

import time

from services.identity.service import IdentityService
from services.intake.service import IntakeService
from tests.intake.helpers import issue_body, sign_in
from tests.platform import Platform, error_of


def test_with_identity_down_an_unknown_community_is_a_prompt_503_and_nothing_is_stored(
        container_factory, service_config):
    config = {**service_config, "LINLI": {**service_config["LINLI"], "rpc_timeout_seconds": 1}}
    platform = Platform(container_factory, config)
    try:
        client = platform.start()  # identity alone: intake never hears community.created
        platform.tenancy()
        platform.containers["identity"].stop()
        container_factory(IntakeService, config).start()
        started = time.perf_counter()
        refused = client.post("/issues", headers=sign_in(platform, "resident"),
                              json=issue_body(platform))
        assert refused.status_code == 503, refused.text
        assert error_of(refused)["code"] == "unavailable"
        assert time.perf_counter() - started < 5  # intake's own 1 s, not the gateway's 10 s

        container_factory(IdentityService, config).start()
        listed = client.get("/issues", headers=sign_in(platform, "community_admin"))
        assert listed.status_code == 200 and listed.json()["items"] == []
        filed = client.post("/issues", headers=sign_in(platform, "resident"),
                            json=issue_body(platform))
        assert filed.status_code == 201, filed.text
    finally:
        platform.close()
