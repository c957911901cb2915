"""Detached processes with pid files and logs under one stack directory.

Each process gets its own session (so `down` can signal its whole group) and
an environment tag naming its stack and itself: a pid file is only trusted if
the live process carries the tag, so a stale pid reused by someone else's
process is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deploy.settings import REPO
from deploy.waits import wait_until

TAG = "LINLI_STACK_PROCESS"


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    port: int
    healthy: Callable[[], bool]  # answers on its port (metrics, /readyz, store ping)
    env: dict[str, str] = field(default_factory=dict)
    hint: str = ""  # what to do when it does not come up


class ProcessTable:
    """What one stack directory started: `<root>/pids/<name>.pid`, `<root>/logs/<name>.log`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.pids = self.root / "pids"
        self.logs = self.root / "logs"
        # Until a child has exec'd, /proc shows our environment, not its tag: our own
        # children are asked directly.
        self.children: dict[int, subprocess.Popen[bytes]] = {}

    def pid_file(self, name: str) -> Path:
        return self.pids / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def tag(self, name: str) -> str:
        return f"{self.root}:{name}"

    def start(self, spec: ProcessSpec, base_env: Mapping[str, str]) -> int:
        self.pids.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        env = {**base_env, **spec.env, TAG: self.tag(spec.name), "PYTHONUNBUFFERED": "1"}
        with open(self.log_file(spec.name), "ab") as log:
            proc = subprocess.Popen(spec.argv, env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.children[proc.pid] = proc
        self.pid_file(spec.name).write_text(f"{proc.pid}\n")
        return proc.pid

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.pids.glob("*.pid")) if self.pids.is_dir() else []

    def pid(self, name: str) -> int | None:
        """The live pid of `name`, or None if it is not running (or the pid is not ours)."""
        try:
            pid = int(self.pid_file(name).read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        if pid in self.children:
            return pid if self.children[pid].poll() is None else None
        return pid if _alive(pid) and _carries(pid, self.tag(name)) else None

    def running(self, name: str) -> bool:
        return self.pid(name) is not None

    def stop(self, name: str, timeout: float = 10.0) -> bool:
        """SIGTERM the process group, SIGKILL it after `timeout`; True if something was stopped."""
        return bool(self.stop_many([name], timeout))

    def stop_many(self, names: list[str], timeout: float = 10.0) -> list[str]:
        """`stop` for several at once: every group is signalled before any is waited for,
        so a stack's processes wind down together, not one after another (each takes a
        second or two to finish its workers)."""
        pids = {}
        for name in names:
            pid = self.pid(name)
            if pid is None:
                self.pid_file(name).unlink(missing_ok=True)
                continue
            _signal_group(pid, signal.SIGTERM)
            pids[name] = pid
        deadline = time.monotonic() + timeout
        for pid in pids.values():
            if not self._wait_exit(pid, max(0.0, deadline - time.monotonic())):
                _signal_group(pid, signal.SIGKILL)
                self._wait_exit(pid, 5.0)
        for name in pids:
            self.pid_file(name).unlink(missing_ok=True)
        return list(pids)

    def kill(self, name: str) -> bool:
        """SIGKILL, as a crash would: no shutdown handlers run. The pid file stays, stale."""
        pid = self.pid(name)
        if pid is None:
            return False
        _signal_group(pid, signal.SIGKILL)
        self._wait_exit(pid, 5.0)
        return True

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        child = self.children.get(pid)
        if child is None:
            return wait_until(lambda: not _alive(pid), timeout, every=0.1)
        try:
            child.wait(timeout)  # reaps it, so no zombie is left behind
        except subprocess.TimeoutExpired:
            return False
        del self.children[pid]
        return True

    def tail(self, name: str, lines: int = 40) -> str:
        try:
            text = self.log_file(name).read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _alive(pid: int) -> bool:
    """Running, and not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not Path("/proc/self/stat").exists():
        return True  # no /proc (not Linux): kill(0) is all we can know
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _carries(pid: int, tag: str) -> bool:
    environ = Path(f"/proc/{pid}/environ")
    if not Path("/proc/self/environ").exists():
        return True  # no /proc (not Linux): trust the pid file
    try:
        return f"{TAG}={tag}".encode() in environ.read_bytes().split(b"\0")
    except OSError:
        return False
