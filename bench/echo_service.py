"""The messaging ceiling: a bare nameko RPC that publishes one event and answers.

No store, no validation, no outbox: what RabbitMQ and nameko cost per request on
this machine, the floor under every platform entrypoint. Run by bench/ceilings.py as
`nameko run --config deploy/nameko.yml bench.echo_service:EchoService`.
"""

from __future__ import annotations

from nameko.events import EventDispatcher
from nameko.rpc import rpc


class EchoService:
    name = "bench_echo"
    dispatch = EventDispatcher()

    @rpc
    def echo(self, body: dict) -> dict:
        self.dispatch("echo.done", body)
        return body
