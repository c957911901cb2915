"""The committed compose and Prometheus files are what deploy/render.py makes of the topology."""

from __future__ import annotations

import os
import re
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
    assert set(platform) | {"mongo", "rabbitmq", "prometheus", "proxy"} == set(services)
    assert {services[name]["image"] for name in platform} == {render.IMAGE}
    for spec in SERVICES:
        assert services[spec.name]["command"][-1] == spec.module
        assert services[spec.name]["environment"]["LINLI_METRICS_PORT"] == str(spec.metrics_port)
        assert services[spec.name]["environment"]["LINLI_ENV"] == "production"


# What an operator exports before `docker compose up` (docs/operations.md#secrets).
OPERATOR_ENV = {"LINLI_JWT_SECRET": "j" * 40, "LINLI_RABBITMQ_USER": "linli",
                "LINLI_RABBITMQ_PASSWORD": "broker-pw-1", "LINLI_MONGO_USER": "linli",
                "LINLI_MONGO_PASSWORD": "store-pw-1"}
REFERENCE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:[?-])(?P<arg>[^}]*))?\}")
USERINFO = re.compile(r"^[a-z]+://(?P<user>\$\{[^}]*\}):(?P<password>\$\{[^}]*\})@")
CREDENTIALS = {("rabbitmq", "RABBITMQ_DEFAULT_USER"), ("rabbitmq", "RABBITMQ_DEFAULT_PASS"),
               ("mongo", "MONGO_INITDB_ROOT_USERNAME"), ("mongo", "MONGO_INITDB_ROOT_PASSWORD")}


def _compose_as_written(text: str) -> dict:
    """Every scalar a string, `${...}` untouched (nameko's test plugin teaches SafeLoader to
    expand them as its own config does)."""
    return yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 (BaseLoader builds no objects)


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR:?message}` / `${VAR:-default}`; a missing required one raises."""
    def one(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op == ":?":
            raise LookupError(f"{name}: {arg}")
        return arg or ""
    return REFERENCE.sub(one, value)


def _required_reference(value: str) -> bool:
    """The whole value is one `${VAR:?...}`: compose refuses to start without the variable."""
    match = REFERENCE.fullmatch(value)
    return match is not None and match["op"] == ":?"


def test_compose_takes_every_credential_from_the_environment():
    """No literal secret in the file: the broker's and the store's users and passwords, and
    the URIs the platform uses, are references to required variables; no guest anywhere."""
    text = (REPO / "docker-compose.yml").read_text()
    assert "guest" not in text
    services = _compose_as_written(text)["services"]
    for service, key in CREDENTIALS:
        assert _required_reference(services[service]["environment"][key]), (service, key)
    for name in [s.name for s in SERVICES] + ["gateway"]:
        env = services[name]["environment"]
        assert _required_reference(env["LINLI_JWT_SECRET"]), name
        for key in ("LINLI_AMQP_URI", "LINLI_MONGO_URI"):
            signed_in = USERINFO.match(env[key])
            assert signed_in, (name, key, env[key])
            for part in (signed_in["user"], signed_in["password"]):
                assert _required_reference(part), (name, key, part)


def test_compose_environment_starts_the_platform_in_production():
    """With the operator's variables, every platform process's settings pass the production
    check (services/common/config.py); without one of them compose refuses."""
    from services.common.config import Settings

    services = _compose_as_written((REPO / "docker-compose.yml").read_text())["services"]
    for name in [s.name for s in SERVICES] + ["gateway"]:
        env = {k.removeprefix("LINLI_").lower(): _interpolate(v, OPERATOR_ENV)
               for k, v in services[name]["environment"].items()}
        assert Settings(**env).env == "production", name
        for missing in OPERATOR_ENV:
            with pytest.raises(LookupError, match=missing):
                for value in services[name]["environment"].values():
                    _interpolate(value, {k: v for k, v in OPERATOR_ENV.items() if k != missing})


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
    env = {**os.environ, **OPERATOR_ENV}
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


def test_caddy_accepts_the_proxy_config():
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (Debian package caddy)")
    env = {**os.environ, "LINLI_DOMAIN": "linli.example.test", "LINLI_TLS": "internal"}
    result = subprocess.run([caddy, "validate", "--config", "deploy/Caddyfile",
                             "--adapter", "caddyfile"], cwd=REPO, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
