"""Run a nameko service as a real process (for crash and replica tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


class ServiceProcess:
    def __init__(self, target: str, config: dict[str, Any], log: Path, **env: Any) -> None:
        self.target = target
        self.config = config
        self.log = log
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        linli = self.config["LINLI"]
        env = os.environ | {
            "PYTHONPATH": str(REPO), "LINLI_MONGO_URI": linli["mongo_uri"],
            "LINLI_DB_PREFIX": linli["db_prefix"], "LINLI_METRICS_PORT": "0",
        } | {f"LINLI_{k.upper()}": str(v) for k, v in self.env.items()}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--broker", self.config["AMQP_URI"],
                 self.target], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        return self

    def wait_ready(self, probe, timeout: float = 20.0) -> None:
        """Poll `probe()` (e.g. an RPC to the service) until it succeeds."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            try:
                probe()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
