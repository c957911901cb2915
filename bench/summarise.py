"""The tables of docs/performance.md from one bench/e2e.py result file (markdown).

    .venv/bin/python bench/summarise.py bench/results/e2e-latest.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.report import table  # noqa: E402

E2E = ["scenario", "ok/s", "http p50", "http p95", "http p99", "order p50", "order p99",
       "drain s", "no order", "errors", "load1"]


def _row(r: dict, name: str | None = None) -> dict:
    errors = sum(n for s, n in r["statuses"].items() if s != "201")
    return {"scenario": name or r["label"], "ok/s": r["accepted_per_s"],
            "http p50": r["http"]["p50_ms"], "http p95": r["http"]["p95_ms"],
            "http p99": r["http"]["p99_ms"], "order p50": r["until_order"]["p50_ms"],
            "order p99": r["until_order"]["p99_ms"], "drain s": r["order_drain_s"],
            "no order": r["orders_missing"],
            "errors": errors, "load1": r["machine"]["loadavg"][0]}


def render(data: dict) -> str:
    out = [f"Run at {data['machine']['at']}, {data['machine']['cpus']} cores, load average at "
           f"start {data['machine']['loadavg']}; times in ms unless named.", "",
           "End to end (auto-triaged `fire_hazard`; 'order' = until the work order exists):",
           "", table([_row(r) for r in data.get("scenarios", [])], E2E), ""]
    c, ratio = data.get("ceilings"), data.get("ratios") or {}
    if c:
        rows = [{"ceiling": "RPC echo + one event", "per_s": c["rpc_echo"].get("per_s"),
                 "p50": c["rpc_echo"].get("p50_ms"), "p99": c["rpc_echo"].get("p99_ms"),
                 "platform ratio": ratio.get("of_rpc_echo")},
                {"ceiling": "store insert (indexed)", "per_s": c["store"]["insert"]["per_s"],
                 "p50": c["store"]["insert"]["p50_ms"], "p99": c["store"]["insert"]["p99_ms"],
                 "platform ratio": ratio.get("of_store_insert")},
                {"ceiling": "store find by indexed field", "per_s": c["store"]["find"]["per_s"],
                 "p50": c["store"]["find"]["p50_ms"], "p99": c["store"]["find"]["p99_ms"],
                 "platform ratio": ratio.get("of_store_find")}]
        out += [f"Ceilings, same run, {c['clients']} clients (platform = "
                f"{ratio.get('platform_per_s')} issues/s, {ratio.get('scenario')}):", "",
                table(rows, ["ceiling", "per_s", "p50", "p99", "platform ratio"]), ""]
    growth = data.get("growth", [])
    if growth:
        rows = []
        for g in growth:
            row = _row(g, f"{g['stored_issues']:,} issues / {g['communities']} communities")
            row["seed s"] = g["seed"]["seconds"]
            rows.append(row)
        out += ["Growth (history written straight to the store, then the same closed loop):", "",
                table(rows, [*E2E, "seed s"]), ""]
        probed = [g for g in growth if g.get("queries")]
        if probed:
            names = list(probed[0]["queries"])
            cols = ["query (p50 ms)", *(f"{g['stored_issues']:,}" for g in probed)]
            qrows = [{"query (p50 ms)": n, **{f"{g['stored_issues']:,}":
                                              g["queries"][n]["p50_ms"] for g in probed}}
                     for n in names]
            loads = ", ".join(f"{g['stored_issues']:,}: {g['machine']['loadavg'][0]}"
                              for g in probed)
            out += [f"Request-path queries at each size (load1 {loads}):", "",
                    table(qrows, cols), ""]
    idle = data.get("idle")
    if idle:
        per = ", ".join(f"{k} {v}%" for k, v in idle["percent_of_one_core"].items())
        out += [f"Idle, {idle['seconds']} s with {idle['stored_issues']:,} issues stored: "
                f"{idle['total_percent_of_machine']}% of the machine ({per}; % of one core), "
                f"load average {idle['loadavg']}.", ""]
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("result", type=Path)
    print(render(json.loads(p.parse_args().result.read_text())))


if __name__ == "__main__":
    main()
