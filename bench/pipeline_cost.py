"""CPU per issue, per process: what an auto-triaged issue costs each stack process, end to end.

Throughput on a machine whose cores are full is its CPU divided by this cost, so the table
says what limits the figure and where a millisecond saved counts; unlike a rate, a CPU
cost per issue survives other load on the machine. With `--profile`, py-spy samples every
process during the same run (`bench/profile_top.py` summarises each file).

    .venv/bin/python bench/pipeline_cost.py --requests 600 --clients 8 [--profile DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import idle, scenario  # noqa: E402
from bench.e2e import _ready  # noqa: E402
from bench.isolated import isolated_stack  # noqa: E402
from bench.report import machine  # noqa: E402


def _cpu(trees: dict[str, list[int]]) -> dict[str, float]:
    return {name: idle._cpu_seconds(t) for name, t in trees.items()}


def _events(urls: dict[str, str]) -> dict[str, float]:
    """Events published ("published <type>"), consumed ("<service> <- <type>") and store
    commands ("store <service> <command> <collection>") so far."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[str, float] = {}
    for url in urls.values():
        try:
            text = httpx.get(url, timeout=5).text
        except httpx.HTTPError:
            continue
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = sample.labels
                if sample.name == "linli_events_published_total":
                    key = f"published {labels['type']}"
                elif sample.name == "linli_events_consumed_total":
                    key = f"{labels['service']} <- {labels['type']} ({labels['outcome']})"
                elif sample.name == "linli_store_commands_total":
                    key = f"store {labels['service']} {labels['command']} {labels['collection']}"
                else:
                    continue
                out[key] = out.get(key, 0.0) + sample.value
    return out


def _drained(urls: dict[str, str], limit: float = 120.0) -> tuple[dict[str, float], float]:
    """The counts once every consumer has caught up (two reads 3 s apart agree): a consumer
    that lags behind the run still spends its share on the run's issues."""
    def events(counts: dict[str, float]) -> dict[str, float]:
        return {k: v for k, v in counts.items() if not k.startswith("store ")}  # timers move

    began, last = time.monotonic(), _events(urls)
    while time.monotonic() - began < limit:
        time.sleep(3.0)
        now = _events(urls)
        if events(now) == events(last):
            return now, round(time.monotonic() - began - 3.0, 1)
        last = now
    return last, -1.0


def per_issue_counts(before: dict[str, float], after: dict[str, float], ok: int) -> dict:
    counts = {k: round((v - before.get(k, 0.0)) / ok, 2) for k, v in sorted(after.items())
              if v - before.get(k, 0.0) > 0}
    by_service: dict[str, float] = {}
    for key, n in counts.items():
        if key.startswith("store "):
            service = key.split()[1]
            by_service[service] = round(by_service.get(service, 0.0) + n, 2)
    return {"store_commands_by_service": by_service,
            "store_commands": round(sum(by_service.values()), 1), "detail": counts}


def run(requests: int, clients: int, profile: Path | None, keep: bool = False) -> dict:
    with isolated_stack({"intake": 1, "dispatch": 1}, keep=keep) as (stack, _vhost):
        print(f"stack directory (logs): {stack.settings.stack_dir}", flush=True)
        tenancy = _ready(stack, 1)
        pids = {name: pid for name in stack.table.names() if (pid := stack.table.pid(name))}
        trees = {name: idle._tree(pid) for name, pid in pids.items()}
        spies: list[subprocess.Popen] = []
        if profile:
            profile.mkdir(parents=True, exist_ok=True)
            spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
            spies = [subprocess.Popen(
                [spy, "record", "-p", str(pid), "-r", "50", "--nonblocking", "-f", "raw",
                 "-o", str(profile / f"{name}.txt")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for name, pid in pids.items()]
            time.sleep(1.0)
        events_before = _events(stack.metrics_urls)
        before = _cpu(trees)
        row = scenario.run(stack, tenancy, "open311", "closed", clients, requests, 600,
                           "pipeline")
        events_after, drained = _drained(stack.metrics_urls)  # idle CPU over the 3 s: noise
        after = _cpu(trees)
        for p in spies:
            p.send_signal(2)
        for p in spies:
            p.wait(timeout=30)
    ok = row["accepted"] or 1
    per_issue = {name: round((after[name] - before[name]) * 1000 / ok, 2) for name in after}
    total = round(sum(per_issue.values()), 1)
    cores = os.cpu_count() or 1
    return {"row": scenario.flat(row), "consumers_drained_s": drained,
            "cpu_ms_per_issue": per_issue, "total_ms": total,
            "ceiling_issues_per_s": round(cores * 1000 / total, 1) if total else None,
            "per_issue": per_issue_counts(events_before, events_after, ok),
            "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--profile", type=Path, default=None,
                        help="a directory for one py-spy raw profile per process")
    parser.add_argument("--keep", action="store_true", help="keep the stack's directory")
    parser.add_argument("--out", type=Path, default=Path("bench/results/pipeline-latest.json"))
    args = parser.parse_args()
    result = run(args.requests, args.clients, args.profile, args.keep)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
