"""Prometheus, fed the stack's own targets and alert rules, sees every process up and a
request counter move."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy import render
from deploy.errors import StackError
from deploy.packages import ensure_debian_package
from deploy.processes import ProcessSpec, ProcessTable
from deploy.settings import REPO
from deploy.waits import wait_until
from services.common.testing.embedded_store import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # may apt-get install prometheus
SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    try:
        found = ensure_debian_package("prometheus", "prometheus")
    except StackError as exc:
        pytest.skip(str(exc))
    if found is None:
        pytest.skip("prometheus is not installed, and only root may apt-get install it")
    return found


@pytest.fixture
def prometheus(stack, prometheus_binary: str, tmp_path: Path) -> Iterator[str]:
    targets = {name: urlsplit(url).netloc for name, url in stack.metrics_urls.items()}
    config = tmp_path / "prometheus.yml"
    config.write_text(render.dump(render.prometheus_config(
        targets, scrape_interval="1s", rule_files=(str(REPO / "deploy" / "alerts.yml"),))))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    spec = ProcessSpec("prometheus", [
        prometheus_binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}"], port, healthy=lambda: _ready(url))
    table = ProcessTable(tmp_path)
    table.start(spec, os.environ)
    try:
        assert wait_until(spec.healthy, timeout=30), table.tail("prometheus")
        yield url
    finally:
        table.stop("prometheus")


def test_prometheus_sees_every_process_up_and_a_request_counter_move(stack, prometheus):
    assert wait_until(lambda: _targets_up(prometheus) == set(stack.metrics_urls), timeout=30), \
        httpx.get(f"{prometheus}/api/v1/targets").json()

    calls = 'sum(linli_entrypoint_calls_total{service="identity",method="find_district"})'
    before = _value(prometheus, calls)
    with ClusterRpcProxy({"AMQP_URI": stack.amqp_uri}, timeout=10) as rpc:
        rpc.identity.find_district(SYSTEM, "no-such-district")
    assert wait_until(lambda: _value(prometheus, calls) > before, timeout=15)

    if stack.gateway_url:
        requests = 'sum(linli_http_requests_total{route="/readyz"})'
        before = _value(prometheus, requests)
        assert httpx.get(f"{stack.gateway_url}/readyz").status_code == 200
        assert wait_until(lambda: _value(prometheus, requests) > before, timeout=15)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _targets_up(prometheus: str) -> set[str]:
    active = httpx.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
    return {t["labels"]["job"] for t in active if t["health"] == "up"}


def _value(prometheus: str, query: str) -> float:
    """The query's single value now; 0 while the series does not exist yet."""
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": query}, timeout=5)
    result = response.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0
