"""The stack's process table: detached starts, pid files it trusts, SIGTERM then SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from deploy.processes import ProcessSpec, ProcessTable
from deploy.waits import wait_until
from services.common.testing.embedded_store import free_port


def _http_server(port: int) -> ProcessSpec:
    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    return ProcessSpec("web", argv, port, healthy=healthy)


def _ignores_sigterm() -> ProcessSpec:
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    return ProcessSpec("stubborn", [sys.executable, "-c", code], 0, healthy=lambda: True)


def test_a_started_process_has_a_pid_file_a_log_and_stops_on_sigterm(tmp_path):
    table = ProcessTable(tmp_path)
    spec = _http_server(free_port())
    pid = table.start(spec, os.environ)
    assert wait_until(spec.healthy, timeout=10, every=0.1)
    assert table.pid_file("web").read_text().strip() == str(pid)
    assert table.names() == ["web"]
    assert table.stop("web") is True
    assert not table.running("web")
    assert not table.pid_file("web").exists()
    assert "Serving HTTP" in table.tail("web")


def test_a_process_that_ignores_sigterm_is_killed_after_the_timeout(tmp_path):
    table = ProcessTable(tmp_path)
    table.start(_ignores_sigterm(), os.environ)
    assert wait_until(lambda: table.running("stubborn"), timeout=5, every=0.1)
    assert table.stop("stubborn", timeout=0.5) is True
    assert not table.running("stubborn")


def test_several_stop_together_within_one_timeout_and_a_stubborn_one_is_killed(tmp_path):
    table = ProcessTable(tmp_path)
    code = ("import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: "
            "(time.sleep(1), sys.exit(0))); pathlib.Path(sys.argv[1]).touch(); time.sleep(60)")
    slow = [ProcessSpec(f"slow{i}", [sys.executable, "-c", code, str(tmp_path / f"ready{i}")],
                        0, healthy=lambda: True) for i in range(4)]
    for spec in [*slow, _ignores_sigterm()]:
        table.start(spec, os.environ)
    names = [*(s.name for s in slow), "stubborn", "absent"]
    # each has its SIGTERM handler in place (the stubborn one is given a moment)
    assert wait_until(lambda: all((tmp_path / f"ready{i}").exists() for i in range(4)),
                      timeout=10, every=0.1)
    time.sleep(0.3)
    started = time.monotonic()
    assert table.stop_many(names, timeout=2.5) == names[:-1]
    assert time.monotonic() - started >= 1  # the handlers ran: they were asked, not killed
    # one after another, four that each take a second to exit and the stubborn one's
    # timeout would take 6.5 s
    assert time.monotonic() - started < 5
    assert not any(table.running(n) for n in names)
    assert table.names() == []


def test_a_killed_process_reads_as_down_and_its_stale_pid_file_is_harmless(tmp_path):
    table = ProcessTable(tmp_path)
    spec = _http_server(free_port())
    table.start(spec, os.environ)
    assert wait_until(spec.healthy, timeout=10, every=0.1)
    assert table.kill("web") is True
    assert not table.running("web")
    assert table.stop("web") is False


def test_a_pid_file_naming_someone_elses_process_is_never_signalled(tmp_path):
    table = ProcessTable(tmp_path)
    table.pids.mkdir(parents=True)
    stranger = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        table.pid_file("web").write_text(f"{stranger.pid}\n")
        assert table.pid("web") is None
        assert table.stop("web") is False
        assert stranger.poll() is None
    finally:
        os.killpg(stranger.pid, signal.SIGKILL)
        stranger.wait()
