"""The stack script as a person meets it: clear one-line failures, idle status and down."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from deploy.settings import REPO, StackSettings
from services.common.testing.embedded_store import free_port
from services.common.topology import SERVICES


def run_stack(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploy.stack", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=90)


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    return clean | {"LINLI_STACK_DIR": str(tmp_path / "stack"),
                    "LINLI_MONGO_URI": f"mongodb://127.0.0.1:{free_port()}",
                    "LINLI_GATEWAY_PORT": str(free_port())}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port something listens on without ever answering."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_settings_take_every_port_from_linli_variables():
    spec = SERVICES[0]
    settings = StackSettings.from_env({f"LINLI_{spec.name.upper()}_METRICS_PORT": "19999",
                                       "LINLI_GATEWAY_PORT": "18888", "OTHER": "x"})
    assert settings.metrics_port(spec) == 19999
    assert settings.gateway_url == "http://127.0.0.1:18888"
    assert StackSettings.from_env({}).metrics_port(spec) == spec.metrics_port


def test_an_unreachable_broker_is_one_clear_message_and_a_failure(env):
    port = free_port()
    result = run_stack("up", env=env | {"LINLI_AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:{port}/"})
    assert result.returncode == 1
    assert f"RabbitMQ broker: nothing answers on 127.0.0.1:{port}" in result.stderr
    assert "rabbitmq-server -detached" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_store_that_cannot_start_is_named_with_its_log_and_nothing_stays_up(env, silent_port):
    env["LINLI_MONGO_URI"] = f"mongodb://127.0.0.1:{silent_port}"
    result = run_stack("up", "--no-seed", env=env)
    assert result.returncode == 1
    assert f"store exited (port {silent_port}). This is the embedded store for LINLI_MONGO_URI" \
        in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr.split("Last lines of")[0]
    status = run_stack("status", env=env)
    assert all(" down " in line for line in status.stdout.splitlines() if "store" not in line)
    assert "store      up" not in status.stdout


def test_status_and_down_on_a_stack_that_never_ran(env):
    status = run_stack("status", env=env)
    assert status.returncode == 0
    names = [line.split()[0] for line in status.stdout.splitlines()]
    assert names[:1 + len(SERVICES)] == ["store", *(s.name for s in SERVICES)]
    down = run_stack("down", env=env)
    assert (down.returncode, down.stdout.strip()) == (0, "stopped: nothing was running")
