"""End to end: issues filed through the gateway until their work orders exist, with the
ceilings, growth, idle cost and replicas measured in the same run. Loopback only, bounded.

    .venv/bin/python bench/e2e.py                 # the standard run (docs/performance.md)
    .venv/bin/python bench/e2e.py --quick         # a smoke run in about three minutes

It starts an isolated stack of its own (bench/isolated.py: own store, own vhost, free
ports), prints a table and writes bench/results/e2e-*.json.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import ceilings, growth_queries, idle, scenario, seed_bulk, seed_files  # noqa: E402
from bench.isolated import isolated_stack  # noqa: E402
from bench.load import CATEGORY  # noqa: E402
from bench.report import machine, table, write  # noqa: E402
from bench.tenancy import make_tenancy, sign_in  # noqa: E402


def _ints(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x.strip()]


def options(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", default="8,16", help="closed-loop client counts")
    p.add_argument("--requests", type=int, default=1500, help="per closed-loop scenario")
    p.add_argument("--rates", default="25,50,100,150", help="open-loop requests/s")
    p.add_argument("--open-seconds", type=float, default=20)
    p.add_argument("--kinds", default="open311,issues")
    p.add_argument("--sizes", default="10000,100000,1000000",
                   help="stored issues at each growth step; SIZE:COMMUNITIES spreads that "
                        "step's new history over the first COMMUNITIES (default --spread)")
    p.add_argument("--seed", choices=("files", "wire"), default="files",
                   help="files: straight into the stopped store's SQLite (bench/seed_files.py); "
                        "wire: insert_many through the store (bench/seed_bulk.py)")
    p.add_argument("--growth-requests", type=int, default=600, help="per growth step")
    p.add_argument("--scenario-seconds", type=float, default=180,
                   help="limit on each closed-loop scenario (growth: two thirds of it)")
    p.add_argument("--spread", type=int, default=10, help="communities the history spans")
    p.add_argument("--idle-seconds", type=float, default=60)
    p.add_argument("--replicas", type=int, default=2, help="0 or 1: skip the replica run")
    p.add_argument("--store-per-service", action="store_true")
    p.add_argument("--ceiling-seconds", type=float, default=15)
    p.add_argument("--max-minutes", type=float, default=90, help="hard limit on the run")
    p.add_argument("--quick", action="store_true", help="small numbers everywhere")
    args = p.parse_args(argv)
    if args.quick:
        args.clients, args.requests, args.rates, args.open_seconds = "8", 300, "25", 8
        args.sizes, args.idle_seconds, args.ceiling_seconds = "5000", 10, 5
        args.growth_requests, args.scenario_seconds = 200, 90
    return args


def steps(args: argparse.Namespace) -> list[tuple[int, int]]:
    """(stored issues, communities the step's new history spans) per growth step."""
    out = []
    for part in filter(None, (x.strip() for x in args.sizes.split(","))):
        size, _, spread = part.partition(":")
        out.append((int(float(size)), int(spread or args.spread)))
    return out


def _ready(stack, spread: int, tenancy=None) -> object:
    if tenancy is None:
        tenancy = make_tenancy(stack.amqp_uri, spread)
        sign_in(stack.gateway_url, tenancy)
    # Warm-up: the first community has heard of itself in intake and dispatch, the
    # catalogue is seeded, the connections are open (again, after a seed restarted the store).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        row = scenario.run(stack, tenancy, "open311", "closed", 4, 20, 30, "warm-up")
        if row["accepted"] == 20 and row["orders_missing"] == 0:
            return tenancy
        time.sleep(2)
    raise SystemExit(f"warm-up failed: {row}")


def measure(args: argparse.Namespace, replicas: int, results: dict) -> None:
    rows: list[dict] = results.setdefault("scenarios", [])
    clients = _ints(args.clients)
    with isolated_stack({"intake": replicas, "dispatch": replicas},
                        args.store_per_service) as (stack, vhost):
        tenancy = _ready(stack, max([args.spread, *(n for _, n in steps(args))]))
        tag = f"x{replicas}" if replicas > 1 else ""
        for kind in filter(None, args.kinds.split(",") if replicas == 1 else ["open311"]):
            for c in clients:
                rows.append(scenario.run(stack, tenancy, kind, "closed", c, args.requests,
                                         args.scenario_seconds, f"{kind} closed {c}{tag}"))
                print(table([scenario.flat(rows[-1])], scenario.COLUMNS), flush=True)
            for rate in _ints(args.rates) if replicas == 1 else []:
                rows.append(scenario.run(stack, tenancy, kind, "open", rate, 0,
                                         args.open_seconds, f"{kind} open {rate}/s"))
                print(table([scenario.flat(rows[-1])], scenario.COLUMNS), flush=True)
        if replicas > 1:
            return
        top = max(clients)
        results["ceilings"] = {} if args.ceiling_seconds <= 0 else {
            "rpc_echo": ceilings.rpc_echo(stack, top, args.ceiling_seconds),
            "store": ceilings.store_ops(stack.mongo_uri, top, args.ceiling_seconds),
            "clients": top, "machine": machine()}
        print(results["ceilings"], flush=True)
        stored = 0
        growth: list[dict] = results.setdefault("growth", [])
        for size, spread in steps(args):
            over = tenancy.communities[:spread]
            at_seed = machine()
            if args.seed == "files":
                seeded = seed_files.seed_stack(stack, over, size - stored, start=stored)
                _ready(stack, spread, tenancy)  # the services found the store again
            else:
                seeded = seed_bulk.seed(stack.mongo_uri, scenario.dispatch_uri(stack), over,
                                        size - stored)
            seeded["machine"] = at_seed
            stored = size
            probe = growth_queries.probe(stack.mongo_uri_of("intake"),
                                         scenario.dispatch_uri(stack), tenancy.community_id)
            row = scenario.run(stack, tenancy, "open311", "closed", clients[0],
                               args.growth_requests, args.scenario_seconds * 2 / 3,
                               f"growth {size:,}")
            growth.append({"stored_issues": size, "communities": spread,
                           "seed": seeded, "queries": probe, **row})
            print(f"seeded {seeded}\nqueries {probe}\n"
                  + table([scenario.flat(row)], scenario.COLUMNS), flush=True)
        results["idle"] = {"stored_issues": stored, **idle.idle_cpu(stack, args.idle_seconds)}
        print(results["idle"], flush=True)


def ratios(results: dict) -> dict:
    best = max((r for r in results.get("scenarios", []) if r["mode"] == "closed"
                and "x" not in r["label"].split()[-1]),
               key=lambda r: r["accepted_per_s"] or 0, default=None)
    c = results.get("ceilings", {})
    if not best or not c:
        return {}
    platform = best["accepted_per_s"] or 0.0

    def of(ceiling: dict) -> float | None:
        per_s = ceiling.get("per_s")  # absent when the ceiling could not be measured
        return round(platform / per_s, 3) if per_s else None

    return {"platform_per_s": platform, "scenario": best["label"],
            "of_rpc_echo": of(c["rpc_echo"]), "of_store_insert": of(c["store"]["insert"]),
            "of_store_find": of(c["store"]["find"])}


def _timeout(*_: object) -> None:
    raise TimeoutError("bench/e2e.py: --max-minutes reached")


def main(argv: list[str] | None = None) -> None:
    args = options(argv)
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(int(args.max_minutes * 60))
    results: dict = {"args": vars(args), "category": CATEGORY, "machine": machine()}
    try:
        measure(args, 1, results)
        if args.replicas > 1:
            measure(args, args.replicas, results)
    finally:
        results["ratios"] = ratios(results)
        results["finished"] = machine()
        rows = [scenario.flat(r) for r in results.get("scenarios", []) + results.get("growth", [])]
        print(table(rows, scenario.COLUMNS))
        print({"ratios": results["ratios"], "idle": results.get("idle")})
        print(f"wrote {write('e2e', results)}")


if __name__ == "__main__":
    main()
