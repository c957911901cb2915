"""Prometheus metrics shared by every process, and the nameko hook that feeds them.

Each process serves its own `/metrics`; services add their domain gauges in
their own modules next to the code that moves them.
"""

from __future__ import annotations

import time
from typing import Any

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram, start_http_server
from pymongo import monitoring

from services.common import logs
from services.common.config import settings_from_nameko

ENTRYPOINT_LATENCY = Histogram(
    "linli_entrypoint_seconds", "Time spent in an RPC, event or timer entrypoint",
    ["service", "kind", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ENTRYPOINT_CALLS = Counter(
    "linli_entrypoint_calls_total", "Entrypoint calls by outcome",
    ["service", "kind", "method", "outcome"],
)
ENTRYPOINT_FAILURES = Counter(
    "linli_entrypoint_failures_total",
    "Entrypoint calls that failed (not a refusal: a DomainError below 500 is an answer)",
    ["service", "kind", "method"],
)
EVENTS_PUBLISHED = Counter(
    "linli_events_published_total", "Events published by the outbox relay", ["service", "type"]
)
EVENTS_CONSUMED = Counter(
    "linli_events_consumed_total", "Events received by handlers, by outcome",
    ["service", "type", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "linli_events_dead_lettered_total",
    "Events a handler could not parse, kept in the service's dead_letters collection",
    ["service", "event_type", "reason"],
)
OUTBOX_BACKLOG = Gauge(
    "linli_outbox_backlog", "Events written but not yet published", ["service"]
)

STORE_COMMANDS = Counter(
    "linli_store_commands_total",
    "Commands a service sent its store, by command and collection: on this store each one "
    "is parsed and translated in Python, so their number per request is its cost",
    ["service", "command", "collection"],
)


class StoreCommands(monitoring.CommandListener):
    """Counts every command a client sends (pymongo's command monitoring; heartbeats are not
    commands). One per client: `alias` names the service."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        collection = target if isinstance(target, str) else ""
        STORE_COMMANDS.labels(self.alias, event.command_name, collection).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


_KINDS = {"Rpc": "rpc", "EventHandler": "event", "Timer": "timer"}


class Instrumentation(DependencyProvider):
    """Times every entrypoint and serves /metrics on LINLI_METRICS_PORT (0: off); quiets
    the worker log's expected refusals (`logs.py`)."""

    _served_ports: set[int] = set()

    def setup(self) -> None:
        logs.install()
        port = settings_from_nameko(self.container.config).metrics_port
        if port and port not in Instrumentation._served_ports:
            start_http_server(port)
            Instrumentation._served_ports.add(port)
        self._started: dict[Any, float] = {}

    def worker_setup(self, worker_ctx: Any) -> None:
        # Runs in the worker's own greenthread (its own context): every line it logs
        # from here on names the request (logs.RequestIdFilter).
        logs.REQUEST_ID.set(logs.request_id_of(worker_ctx) or "-")
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        began = self._started.pop(worker_ctx, None)
        entrypoint = worker_ctx.entrypoint
        kind = _KINDS.get(type(entrypoint).__name__, type(entrypoint).__name__.lower())
        labels = (self.container.service_name, kind, entrypoint.method_name)
        if began is not None:
            ENTRYPOINT_LATENCY.labels(*labels).observe(time.perf_counter() - began)
        outcome = "ok" if exc_info is None else getattr(exc_info[1], "code", "error")
        ENTRYPOINT_CALLS.labels(*labels, outcome).inc()
        if exc_info is not None and not logs.refusal(exc_info[1]):
            ENTRYPOINT_FAILURES.labels(*labels).inc()
