"""An expected refusal is one quiet line; a real failure keeps its traceback; both name
the request."""

from __future__ import annotations

import logging

import pytest
from nameko.exceptions import RemoteError
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy

from deploy.waits import wait_until
from services.common.errors import Forbidden, NotFound
from services.common.logs import WORKER_LOGGER
from services.common.metrics import ENTRYPOINT_CALLS, ENTRYPOINT_FAILURES, Instrumentation


class MoodyService:
    name = "moody"
    instrumentation = Instrumentation()

    @rpc
    def missing(self, caller: dict) -> None:
        raise NotFound("no such issue", {"issue_id": "unknown"})

    @rpc
    def forbidden(self, caller: dict) -> None:
        raise Forbidden("not yours", {"community_id": "not in your scope"})

    @rpc
    def broken(self, caller: dict) -> None:
        raise RuntimeError("the disk is on fire")


def _worker_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == WORKER_LOGGER and r.levelno >= logging.INFO]


@pytest.mark.parametrize(("method", "error", "level", "status"), [
    ("missing", NotFound, logging.INFO, "404 not_found"),
    ("forbidden", Forbidden, logging.WARNING, "403 forbidden"),
])
def test_a_refusal_is_logged_once_without_traceback(container_factory, service_config, caplog,
                                                    method, error, level, status):
    container_factory(MoodyService, service_config).start()
    caplog.set_level(logging.INFO, logger=WORKER_LOGGER)
    with ServiceRpcProxy("moody", service_config) as moody, pytest.raises(error):
        getattr(moody, method)({"request_id": "req-42"})
    [record] = _worker_records(caplog)
    assert record.levelno == level and record.exc_info is None
    assert record.getMessage().startswith(f"refused {method} ({status}):")
    assert "[request req-42]" in record.getMessage()
    assert "Traceback" not in caplog.text


def test_a_real_failure_keeps_its_traceback_and_the_request_id(container_factory,
                                                               service_config, caplog):
    container_factory(MoodyService, service_config).start()
    caplog.set_level(logging.INFO, logger=WORKER_LOGGER)
    failures = ENTRYPOINT_FAILURES.labels("moody", "rpc", "broken")
    before = failures._value.get()
    with (ServiceRpcProxy("moody", service_config) as moody,
          pytest.raises(RemoteError, match="the disk is on fire")):
        moody.broken({"request_id": "req-43"})
    [record] = _worker_records(caplog)
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "[request req-43]" in record.getMessage()
    assert "RuntimeError: the disk is on fire" in caplog.text
    # what the error-rate alert counts (after the reply: wait for the worker's teardown)
    assert wait_until(lambda: failures._value.get() == before + 1, timeout=5, every=0.05)


def test_a_refusal_is_counted_as_a_call_not_as_a_failure(container_factory, service_config):
    container_factory(MoodyService, service_config).start()
    refused = ENTRYPOINT_CALLS.labels("moody", "rpc", "missing", "not_found")
    failures = ENTRYPOINT_FAILURES.labels("moody", "rpc", "missing")
    before = (refused._value.get(), failures._value.get())
    with ServiceRpcProxy("moody", service_config) as moody, pytest.raises(NotFound):
        moody.missing({})
    assert wait_until(lambda: refused._value.get() == before[0] + 1, timeout=5, every=0.05)
    assert failures._value.get() == before[1]


class ChattyService:
    """Logs from its own code while it works, as every service does."""

    name = "chatty"
    instrumentation = Instrumentation()

    @rpc
    def work(self, caller: dict) -> str:
        logging.getLogger("services.chatty").info("working on it")
        return "done"


def test_every_line_a_worker_logs_names_its_request(container_factory, service_config):
    """Not only nameko's error lines: the service's own lines carry the caller's request id
    (the filter deploy/nameko.yml puts on the handler), and lines outside a request "-"."""
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    from services.common.logs import RequestIdFilter

    handler = Keep(level=logging.INFO)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("services.chatty")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        container_factory(ChattyService, service_config).start()
        with ServiceRpcProxy("chatty", service_config) as chatty:
            assert chatty.work({"request_id": "req-44"}) == "done"
            assert chatty.work({"request_id": "req-45"}) == "done"
        logger.info("outside any request")
    finally:
        logger.removeHandler(handler)
    assert [(r.getMessage(), r.request_id) for r in seen] == [
        ("working on it", "req-44"), ("working on it", "req-45"), ("outside any request", "-")]
