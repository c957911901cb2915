"""The committed compose and Prometheus files are what deploy/render.py makes of the topology."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from deploy import render
from deploy.settings import REPO
from services.common.topology import SERVICES


def test_committed_files_equal_a_fresh_render():
    stale = [str(path.relative_to(REPO)) for path, text in render.rendered().items()
             if not path.exists() or path.read_text() != text]
    assert stale == [], "run `python -m deploy.render` and commit the result"


def test_compose_runs_every_service_and_the_gateway_from_one_image():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    platform = [s.name for s in SERVICES] + ["gateway"]
    assert set(platform) | {"mongo", "rabbitmq", "prometheus"} == set(services)
    assert {services[name]["image"] for name in platform} == {render.IMAGE}
    for spec in SERVICES:
        assert services[spec.name]["command"][-1] == spec.module
        assert services[spec.name]["environment"]["LINLI_METRICS_PORT"] == str(spec.metrics_port)
        assert services[spec.name]["environment"]["LINLI_ENV"] == "production"


def test_prometheus_scrapes_every_process():
    for name in ("prometheus.yml", "prometheus.local.yml"):
        config = yaml.safe_load((REPO / "deploy" / name).read_text())
        jobs = {job["job_name"] for job in config["scrape_configs"]}
        assert jobs == {s.name for s in SERVICES} | {"gateway"}, name


def test_docker_compose_accepts_the_file():
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"],
                                        capture_output=True).returncode != 0:
        pytest.skip("no `docker compose` client here")
    env = {**os.environ, "LINLI_JWT_SECRET": "x" * 32}
    result = subprocess.run([docker, "compose", "-f", "docker-compose.yml", "config", "-q"],
                            cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("args", [
    ["check", "config", "deploy/prometheus.yml"],
    ["check", "config", "deploy/prometheus.local.yml"],
    ["check", "rules", "deploy/alerts.yml"],
])
def test_promtool_accepts_configs_and_rules(args):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus)")
    result = subprocess.run([promtool, *args], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
