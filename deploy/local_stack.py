"""The local stack: the store, every service in the topology and the gateway, as processes."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from deploy import store
from deploy.broker import ensure_broker
from deploy.errors import StackError
from deploy.processes import ProcessSpec, ProcessTable
from deploy.settings import REPO, StackSettings
from deploy.waits import wait_until
from services.common.topology import SERVICES, ServiceSpec

NAMEKO_CONFIG = REPO / "deploy" / "nameko.yml"
GATEWAY = "gateway"
GATEWAY_APP = "services.gateway.app"
GATEWAY_FACTORY = f"{GATEWAY_APP}:create_app"  # uvicorn --factory


class Stack:
    """One stack directory's processes; `env` is what they inherit (and what configured us)."""

    def __init__(self, env: Mapping[str, str] | None = None,
                 services: tuple[ServiceSpec, ...] = SERVICES,
                 with_gateway: bool | None = None,
                 say: Callable[[str], None] = print) -> None:
        self.env = dict(os.environ if env is None else env)
        self.settings = StackSettings.from_env(self.env)
        self.services = services
        self.with_gateway = (importlib.util.find_spec(GATEWAY_APP) is not None
                             if with_gateway is None else with_gateway)
        self.table = ProcessTable(self.settings.stack_dir)
        self.say = say

    @property
    def amqp_uri(self) -> str:
        return self.settings.amqp_uri

    @property
    def mongo_uri(self) -> str:
        return self.settings.mongo_uri

    @property
    def logs_dir(self) -> Path:
        return self.table.logs

    @property
    def gateway_url(self) -> str | None:
        return self.settings.gateway_url if self.with_gateway else None

    @property
    def metrics_urls(self) -> dict[str, str]:
        urls = {name: f"http://127.0.0.1:{spec.port}/metrics"
                for name, spec in self.processes().items() if name != GATEWAY}
        if self.gateway_url:
            urls[GATEWAY] = f"{self.gateway_url}/metrics"
        return urls

    def mongo_uri_of(self, process: str) -> str:
        """The store a process (a service name or `gateway`) uses."""
        names = [s.name for s in self.services] + [GATEWAY]
        return self.settings.store_uri(process, names.index(process))

    def stores(self) -> dict[str, str]:
        """Store process name → URI: `store` (LINLI_MONGO_URI), `store-<process>` for a
        process given a store of its own."""
        found = {store.NAME: self.mongo_uri}
        for process in [s.name for s in self.services] + [GATEWAY]:
            uri = self.mongo_uri_of(process)
            if uri not in found.values():
                found[f"{store.NAME}-{process}"] = uri
        return found

    def processes(self) -> dict[str, ProcessSpec]:
        """The platform's processes in start order (the stores are handled apart). Replica
        k > 1 of a service is `<service>-<k>`: a competing consumer on the same queues."""
        specs = {}
        for s in self.services:
            for k in range(1, self.settings.replica_count(s.name) + 1):
                spec = self._service_process(s, k)
                specs[spec.name] = spec
        if self.with_gateway:
            specs[GATEWAY] = self._gateway_process()
        return specs

    def up(self, seed: bool | None = None) -> list[str]:
        """Start whatever is not running, wait for all to be healthy; the names started."""
        ensure_broker(self.settings, need_management=False, say=self.say)
        store_specs = [spec for name, uri in self.stores().items()
                       if (spec := store.store_process(self.settings, name, uri))]
        started = self._start_healthy(store_specs) if store_specs else []
        try:
            from deploy import migrate  # old data gets the keys the services read by

            migrate.run(self, say=self.say)
            started += self._start_healthy(list(self.processes().values()))
        except StackError:
            for name in started:
                self.table.stop(name)
            raise
        if self.settings.stack_seed if seed is None else seed:
            from deploy.seed import seed as run_seed

            run_seed(self.amqp_uri, self.services, say=self.say, env=self.env)
        return started

    def down(self) -> list[str]:
        """Stop exactly the processes this stack directory started; the system broker stays."""
        # The gateway first (no new requests), then the services together, then the stores,
        # even one this configuration no longer names (`up --store-per-service`).
        names = self.table.names()
        stores = [n for n in names if n.startswith(store.NAME)]
        front = [n for n in names if n == GATEWAY]
        services = [n for n in names if n not in stores and n not in front]
        return [name for group in (front, services, stores)
                for name in self.table.stop_many(group)]

    def status(self) -> list[tuple[str, str, int | None, int]]:
        """(name, up/down/external, pid, port) for the store and every process."""
        rows = []
        for name, uri in self.stores().items():
            pid = self.table.pid(name)
            state = "up" if pid else ("external" if store.answers(self.settings, uri) else "down")
            rows.append((name, state, pid, store.port(self.settings, uri)))
        for name, spec in self.processes().items():
            pid = self.table.pid(name)
            rows.append((name, "up" if pid else "down", pid, spec.port))
        return rows

    def start_service(self, name: str) -> None:
        self._start_healthy([self.processes()[name]])

    def stop_service(self, name: str) -> None:
        self.table.stop(name)

    def kill_service(self, name: str) -> None:
        self.table.kill(name)

    def _start_healthy(self, specs: list[ProcessSpec]) -> list[str]:
        started = [s.name for s in specs if not self.table.running(s.name)]
        for spec in specs:
            if spec.name in started:
                self.table.start(spec, self.env)
        try:
            self._wait_healthy(specs)
        except StackError:
            for name in reversed(started):
                self.table.stop(name)
            raise
        return started

    def _wait_healthy(self, specs: list[ProcessSpec]) -> None:
        pending = {s.name: s for s in specs}

        def all_healthy() -> bool:
            for name, spec in list(pending.items()):
                if not self.table.running(name):
                    raise self._failure(spec, "exited")
                if spec.healthy():
                    del pending[name]
            return not pending

        if not wait_until(all_healthy, self.settings.stack_start_timeout, every=0.25):
            limit = self.settings.stack_start_timeout
            raise self._failure(next(iter(pending.values())), f"did not answer within {limit:g}s")

    def _failure(self, spec: ProcessSpec, what: str) -> StackError:
        log = self.table.log_file(spec.name)
        hint = f"{spec.hint}\n" if spec.hint else ""
        return StackError(f"{spec.name} {what} (port {spec.port}). {hint}"
                          f"Last lines of {log}:\n{self.table.tail(spec.name)}")

    def _service_process(self, spec: ServiceSpec, replica: int = 1) -> ProcessSpec:
        port = self.settings.metrics_port(spec, replica)
        argv = [sys.executable, "-m", "nameko", "run", "--config", str(NAMEKO_CONFIG), spec.module]
        url = f"http://127.0.0.1:{port}/metrics"
        name = spec.name if replica == 1 else f"{spec.name}-{replica}"
        return ProcessSpec(name, argv, port, healthy=lambda: _http_ok(url),
                           env={"LINLI_METRICS_PORT": str(port),
                                "LINLI_MONGO_URI": self.mongo_uri_of(spec.name)})

    def _gateway_process(self) -> ProcessSpec:
        s = self.settings
        argv = [sys.executable, "-m", "uvicorn", GATEWAY_FACTORY, "--factory",
                "--host", s.gateway_host, "--port", str(s.gateway_port)]
        return ProcessSpec(GATEWAY, argv, s.gateway_port,
                           healthy=lambda: _http_ok(f"{s.gateway_url}/readyz"),
                           env={"LINLI_MONGO_URI": self.mongo_uri_of(GATEWAY)})


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False
