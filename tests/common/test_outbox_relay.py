from __future__ import annotations

from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from tests.common.echo_service import EchoService, SinkService

ADMIN = {"user_id": "u1", "role": "community_admin", "district_id": "d1", "community_id": "c1"}


def test_a_write_and_its_event_reach_the_consumer_once(container_factory, service_config):
    container_factory(EchoService, service_config).start()
    sink = container_factory(SinkService, service_config)
    sink.start()
    with (entrypoint_waiter(sink, "on_note_written", timeout=10),
          ServiceRpcProxy("echo", service_config) as echo):
        note_id = echo.write_note(ADMIN, "lift broken")
    with ServiceRpcProxy("echo_sink", service_config) as proxy:
        receipts = proxy.receipts()
    assert [r["note_id"] for r in receipts] == [note_id]
