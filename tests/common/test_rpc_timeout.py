"""An RPC between services gives up after its timeout with Unavailable, whether the other
service hangs or is not running at all (its queue keeps the request)."""

from __future__ import annotations

import time

import eventlet
import pytest
from nameko.rpc import ReplyListener, rpc
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.errors import Unavailable
from services.common.rpc import TimedRpcProxy


class SilentService:
    name = "silent"

    @rpc
    def hang(self, seconds: float) -> str:
        eventlet.sleep(seconds)
        return "too late"

    @rpc
    def echo(self, value: int) -> int:
        return value


class AskerService:
    name = "asker"
    silent = TimedRpcProxy("silent")

    @rpc
    def ask(self, method: str, *args: object) -> object:
        return getattr(self.silent, method)(*args)


@pytest.fixture
def config(service_config):
    return {**service_config, "LINLI": {**service_config["LINLI"], "rpc_timeout_seconds": 0.5}}


def _pending_replies(container) -> int:
    listener = next(e for e in container.extensions if isinstance(e, ReplyListener))
    return len(listener._reply_events)


def test_a_call_answered_in_time_returns_its_result(container_factory, config):
    container_factory(SilentService, config).start()
    container_factory(AskerService, config).start()
    with ServiceRpcProxy("asker", config) as asker:
        assert asker.ask("echo", 7) == 7


def test_a_call_to_a_service_that_never_answers_is_unavailable_within_the_timeout(
        container_factory, config):
    container_factory(SilentService, config).start()
    asker_container = container_factory(AskerService, config)
    asker_container.start()
    with ServiceRpcProxy("asker", config) as asker:
        started = time.monotonic()
        with pytest.raises(Unavailable) as refused:
            asker.ask("hang", 30)
        took = time.monotonic() - started
    assert 0.5 <= took < 3.0
    assert refused.value.fields == {"service": "silent"}
    assert "within 0.5 s" in refused.value.message
    assert _pending_replies(asker_container) == 0  # no reply slot left waiting forever


def test_a_call_to_a_stopped_service_is_unavailable_within_the_timeout(container_factory,
                                                                       config):
    silent = container_factory(SilentService, config)
    silent.start()
    container_factory(AskerService, config).start()
    silent.stop()  # its durable queue stays bound: the request is accepted, never answered
    with ServiceRpcProxy("asker", config) as asker:
        started = time.monotonic()
        with pytest.raises(Unavailable):
            asker.ask("echo", 1)
        assert time.monotonic() - started < 3.0
