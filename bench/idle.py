"""Idle cost: CPU seconds each stack process spends over a window with no traffic (/proc)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from deploy.local_stack import Stack

TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (nameko run and uvicorn may fork helpers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return out


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def idle_cpu(stack: Stack, seconds: float) -> dict:
    """Per process: percent of ONE core over `seconds`; total as percent of the machine."""
    pids = {name: pid for name in stack.table.names() if (pid := stack.table.pid(name))}
    trees = {name: _tree(pid) for name, pid in pids.items()}
    before = {name: _cpu_seconds(t) for name, t in trees.items()}
    began = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - began
    per = {name: round((_cpu_seconds(trees[name]) - before[name]) / elapsed * 100, 2)
           for name in trees}
    cores = os.cpu_count() or 1
    return {"seconds": round(elapsed, 1), "percent_of_one_core": per,
            "total_percent_of_machine": round(sum(per.values()) / cores, 2),
            "loadavg": [round(x, 2) for x in os.getloadavg()]}
