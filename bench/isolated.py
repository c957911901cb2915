"""An isolated local stack for a benchmark run, started as `make up` starts one.

Like tests/e2e/conftest.py: its own stack directory, its own embedded store on a
free port, its own RabbitMQ vhost (made and deleted through the management API),
free ports for every metrics listener and the gateway, no demo seed. Loopback only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from bench.report import LOOPBACK
from deploy.local_stack import Stack
from services.common.testing.embedded_store import free_port
from services.common.topology import SERVICES

BROKER = os.environ.get("LINLI_BENCH_AMQP", "pyamqp://guest:guest@127.0.0.1:5672/")
MANAGEMENT = os.environ.get("LINLI_BENCH_RABBIT_API", "http://guest:guest@127.0.0.1:15672")


def _loopback(uri: str) -> str:
    if urlsplit(uri).hostname not in LOOPBACK:
        raise SystemExit(f"benchmarks run on loopback only, not {uri}")
    return uri


class Vhost:
    """A throwaway RabbitMQ vhost, and the management calls on it the scripts need."""

    def __init__(self, name: str) -> None:
        self.name = name
        api = urlsplit(_loopback(MANAGEMENT))
        self.auth = (api.username or "guest", api.password or "guest")
        self.base = f"{api.scheme}://{api.hostname}:{api.port or 15672}/api"
        self.user = urlsplit(_loopback(BROKER)).username or "guest"

    def _call(self, method: str, path: str, **kw) -> httpx.Response:
        r = httpx.request(method, f"{self.base}{path}", auth=self.auth, timeout=10, **kw)
        r.raise_for_status()
        return r

    def create(self) -> None:
        self._call("PUT", f"/vhosts/{quote(self.name, safe='')}")
        self._call("PUT", f"/permissions/{quote(self.name, safe='')}/{self.user}",
                   json={"configure": ".*", "write": ".*", "read": ".*"})

    def delete(self) -> None:
        # best effort: a leftover vhost is harmless and named as ours
        with contextlib.suppress(httpx.HTTPError):
            self._call("DELETE", f"/vhosts/{quote(self.name, safe='')}")

    def close_connections(self) -> int:
        """Close every AMQP connection on this vhost (a broker-side cut); how many."""
        conns = self._call("GET", f"/vhosts/{quote(self.name, safe='')}/connections").json()
        for c in conns:
            with contextlib.suppress(httpx.HTTPError):  # already gone
                self._call("DELETE", f"/connections/{quote(c['name'], safe='')}",
                           headers={"X-Reason": "bench: connection cut"})
        return len(conns)


def stack_env(vhost: str, root: Path, replicas: Mapping[str, int] | None = None,
              store_per_service: bool = False) -> dict[str, str]:
    broker = urlsplit(BROKER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")} | {
        "LINLI_STACK_DIR": str(root),
        "LINLI_AMQP_URI": f"{broker.scheme}://{broker.netloc}/{vhost}",
        "LINLI_RABBIT_API_URI": MANAGEMENT,
        "LINLI_MONGO_URI": f"mongodb://127.0.0.1:{free_port()}",
        "LINLI_GATEWAY_PORT": str(free_port()),
        "LINLI_STACK_SEED": "0",
        "LINLI_STACK_START_TIMEOUT": "120",
    }
    for s in SERVICES:
        env[f"LINLI_{s.name.upper()}_METRICS_PORT"] = str(free_port())
        count = (replicas or {}).get(s.name, 1)
        if count > 1:
            env[f"LINLI_REPLICAS_{s.name.upper()}"] = str(count)
            for k in range(2, count + 1):
                env[f"LINLI_{s.name.upper()}_{k}_METRICS_PORT"] = str(free_port())
        if store_per_service:
            env[f"LINLI_{s.name.upper()}_MONGO_URI"] = f"mongodb://127.0.0.1:{free_port()}"
    if store_per_service:
        env["LINLI_GATEWAY_MONGO_URI"] = f"mongodb://127.0.0.1:{free_port()}"
    return env


@contextmanager
def isolated_stack(replicas: Mapping[str, int] | None = None, store_per_service: bool = False,
                   keep: bool = False, say=print) -> Iterator[tuple[Stack, Vhost]]:
    """A running stack and its vhost; everything it started is stopped and removed after."""
    vhost = Vhost(f"linli_bench_{uuid.uuid4().hex[:8]}")
    root = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    vhost.create()
    stack = Stack(stack_env(vhost.name, root, replicas, store_per_service), say=say)
    try:
        stack.up()
        yield stack, vhost
    finally:
        stack.down()
        vhost.delete()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
