"""A nameko service as a real process on the test's vhost and databases (crash and replica
tests), managed by the stack's own process table."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deploy.processes import ProcessSpec, ProcessTable
from deploy.waits import wait_until


class ServiceProcess:
    def __init__(self, target: str, config: dict[str, Any], root: Path, name: str = "service",
                 **settings: Any) -> None:
        """`settings` become LINLI_<NAME> variables (e.g. outbox_poll_seconds=3600)."""
        linli = config["LINLI"]
        env = {"LINLI_MONGO_URI": linli["mongo_uri"], "LINLI_DB_PREFIX": linli["db_prefix"],
               "LINLI_METRICS_PORT": "0"}
        env |= {f"LINLI_{k.upper()}": str(v) for k, v in settings.items()}
        argv = [sys.executable, "-m", "nameko", "run", "--broker", config["AMQP_URI"], target]
        self.table = ProcessTable(root)
        self.spec = ProcessSpec(name, argv, port=0, healthy=lambda: True, env=env)

    def start(self) -> ServiceProcess:
        self.table.start(self.spec, os.environ)
        return self

    def wait_ready(self, probe: Callable[[], Any], timeout: float = 20.0) -> None:
        """Until `probe()` (e.g. an RPC to the service) succeeds."""

        def answered() -> bool:
            assert self.table.running(self.spec.name), self.table.tail(self.spec.name)
            try:
                probe()
            except Exception:
                return False
            return True

        assert wait_until(answered, timeout, every=0.2), self.table.tail(self.spec.name)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash."""
        self.table.kill(self.spec.name)

    def stop(self) -> None:
        self.table.stop(self.spec.name)
