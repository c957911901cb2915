"""Start and stop the embedded MongoDB-wire store (nx-27017) as a child process."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pymongo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nx_binary() -> str:
    found = shutil.which("nx-27017") or str(Path(sys.executable).with_name("nx-27017"))
    if not Path(found).exists():
        raise RuntimeError("nx-27017 is not installed: pip install -e '.[dev]'")
    return found


def nx_command(data_dir: Path, host: str, port: int, pid_file: Path,
               log_file: Path | str) -> list[str]:
    """The nx-27017 command line; each instance needs its own pid file."""
    return [nx_binary(), "--data-dir", str(data_dir), "--host", host, "-p", str(port),
            "--pid-file", str(pid_file), "--log-file", str(log_file)]


class EmbeddedStore:
    """One nx-27017 server with its data, pid file and log under `root`."""

    def __init__(self, root: Path, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.root = Path(root)
        self.host = host
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> EmbeddedStore:
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            nx_command(data, self.host, self.port, self.root / "nx.pid", self.root / "nx.log"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nx-27017 exited; see {self.root / 'nx.log'}")
            if reachable(self.uri):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"nx-27017 did not answer on {self.uri} within {timeout}s")

    def stop(self, graceful: bool = True) -> None:
        """`graceful=False` for a throwaway store: SIGKILL at once (a SIGTERM'd store closes
        every database it opened, ~20 s after a whole test session)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def reachable(uri: str, timeout_ms: int = 500) -> bool:
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=timeout_ms)
    try:
        client.admin.command("ping")
        return True
    except pymongo.errors.PyMongoError:
        return False
    finally:
        client.close()
