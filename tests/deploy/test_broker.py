"""What `up` does about the broker: install and start Debian's only where that can help."""

from __future__ import annotations

import pytest

from deploy import broker
from deploy.errors import StackError
from deploy.settings import StackSettings


@pytest.fixture
def machine(monkeypatch):
    """A machine with no broker running: records the commands `ensure_broker` runs."""
    state = {"running": False, "root": True, "commands": []}

    def run(argv, **kwargs):
        state["commands"].append(argv)
        if argv[-1] == "-detached":
            state["running"] = True

    monkeypatch.setattr(broker, "answers", lambda host, port: state["running"])
    monkeypatch.setattr(broker, "can_install", lambda: state["root"])
    monkeypatch.setattr(broker, "ensure_debian_package", lambda b, p: "/usr/sbin/" + b)
    monkeypatch.setattr(broker.subprocess, "run", run)
    monkeypatch.setattr(broker, "management_answers", lambda api: True)
    return state


def test_as_root_a_missing_local_broker_is_started(machine):
    broker.ensure_broker(StackSettings(), need_management=True, say=lambda _: None)
    assert machine["commands"] == [["/usr/sbin/rabbitmq-server", "-detached"]]


def test_without_root_the_message_says_where_it_looked_and_how_to_start_it(machine):
    machine["root"] = False
    with pytest.raises(StackError, match=r"nothing answers on 127\.0\.0\.1:5672.*-detached"):
        broker.ensure_broker(StackSettings(), need_management=False, say=lambda _: None)
    assert machine["commands"] == []


def test_a_broker_expected_on_another_port_is_not_installed(machine):
    settings = StackSettings(amqp_uri="pyamqp://guest:guest@127.0.0.1:5999/")
    with pytest.raises(StackError, match="127.0.0.1:5999"):
        broker.ensure_broker(settings, need_management=False, say=lambda _: None)
    assert machine["commands"] == []
