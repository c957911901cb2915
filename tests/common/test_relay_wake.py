"""The relay wakes when its own process commits something to relay, not after every
worker; the slow poll is the net for what others left."""

from __future__ import annotations

import time

import pymongo
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from deploy.waits import wait_until
from services.common.outbox import OutboxRelay
from services.common.store import Store
from tests.common.echo_service import EchoService

ADMIN = {"user_id": "u1", "role": "community_admin", "district_id": "d1", "community_id": "c1"}


def _config(service_config, **linli):
    return {**service_config, "LINLI": {**service_config["LINLI"], **linli}}


def _passes(container) -> list:
    """Record the collections each relay pass looks at (None: all of them, the poll)."""
    relay = next(d for d in container.extensions if isinstance(d, OutboxRelay))
    seen: list = []
    flush = relay.flush

    def counted(kinds=None):  # noqa: ANN001, ANN202
        seen.append(None if kinds is None else [k.__name__ for k in kinds])
        return flush(kinds)

    relay.flush = counted
    return seen


def test_reads_do_not_wake_the_relay_and_a_write_wakes_it_for_its_collection(
        container_factory, service_config):
    container = container_factory(EchoService, _config(service_config, outbox_poll_seconds=60))
    container.start()
    with ServiceRpcProxy("echo", service_config) as echo:
        note_id = echo.write_note(ADMIN, "first")
        time.sleep(0.3)  # its pass is done
        passes = _passes(container)
        for _ in range(20):
            echo.history(note_id)
        time.sleep(0.3)
        assert passes == []  # twenty reads: no pass at all
        echo.write_note(ADMIN, "second", note_id)
        assert wait_until(lambda: passes == [["Note"]], timeout=5, every=0.05), passes


@pytest.mark.parametrize("wake", [True, False])
def test_a_write_is_published_by_the_wake_or_else_by_the_poll(container_factory,
                                                              service_config, store_uri,
                                                              wake):
    """Woken by its own commit the relay publishes at once; the slow poll is the net."""
    container_factory(EchoService, _config(service_config, outbox_wake_on_write=wake,
                                           outbox_poll_seconds=5.0)).start()
    notes = pymongo.MongoClient(store_uri)[service_config["LINLI"]["db_prefix"] + "echo"]["notes"]
    with ServiceRpcProxy("echo", service_config) as echo:
        time.sleep(0.3)  # past the relay's start-up pass
        started = time.monotonic()
        note_id = echo.write_note(ADMIN, "gate stuck")
        assert wait_until(lambda: notes.find_one({"_id": note_id})["outbox"] == [],
                          timeout=15, every=0.05)
        took = time.monotonic() - started
    # The poll fires 5 s after the start-up pass, at least 4.5 s after this write.
    assert took < 2.5 if wake else took >= 2.5


def test_a_relay_no_longer_running_is_not_woken(container_factory, service_config):
    first = container_factory(EchoService, service_config)
    first.start()
    assert Store._wakers["echo"]  # registered while it runs
    first.stop()
    assert Store._wakers["echo"] == []
