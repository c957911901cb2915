"""The stack `make up` starts: every process answers, and one that dies can be started again."""

from __future__ import annotations

import httpx
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.waits import wait_until
from services.common.topology import SERVICES

pytestmark = pytest.mark.e2e
SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_every_process_serves_prometheus_metrics(stack):
    for name, url in stack.metrics_urls.items():
        response = httpx.get(url, timeout=5)
        assert response.status_code == 200, name
        assert "# TYPE" in response.text, name


def test_the_gateway_is_ready(gateway):
    response = gateway.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_status_lists_every_process_as_up(stack):
    rows = {name: state for name, state, _pid, _port in stack.status()}
    assert rows == {"store": "up", **{s.name: "up" for s in SERVICES},
                    **({"gateway": "up"} if stack.gateway_url else {})}


def test_a_killed_service_is_down_until_started_again_and_then_answers_rpc(stack):
    name = "identity"
    stack.kill_service(name)
    assert not answers(stack.metrics_urls[name])
    assert dict((n, s) for n, s, _, _ in stack.status())[name] == "down"

    stack.start_service(name)
    assert wait_until(lambda: answers(stack.metrics_urls[name]), timeout=5)
    with ClusterRpcProxy({"AMQP_URI": stack.amqp_uri}, timeout=10) as rpc:
        assert rpc.identity.find_district(SYSTEM, "no-such-district") is None
