"""Mediation cases per second through the gateway: open a walk-in case (its commit, outbox
and counters; volunteers answers its mediator request off the path), then read it back.

    .venv/bin/python bench/mediation_cases.py                    # 300 cases, 8 at a time
    .venv/bin/python bench/mediation_cases.py --cases 1000 --concurrency 16

Starts an isolated stack of its own (bench/isolated.py: own store, vhost and ports, no
demo seed), makes a community and its admin, then times `POST /mediation/cases` and
`GET /mediation/cases/{id}` through the gateway with the admin's signed token. It checks
the community's counters (`GET /mediation/figures`) equal the cases opened. Loopback only.
Results: bench/results/mediation-cases-<stamp>.json and -latest.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import report  # noqa: E402
from bench.isolated import isolated_stack  # noqa: E402
from bench.tenancy import make_tenancy  # noqa: E402
from services.common.config import DEV_JWT_SECRET  # noqa: E402
from services.gateway import tokens  # noqa: E402

BODY = {"kind": "neighbour", "source": "walk_in", "summary": "楼上漏水 (bench)",
        "parties": [{"name": "甲"}, {"name": "乙"}]}


def run(url: str, headers: dict, cases: int, concurrency: int) -> tuple[list, float]:
    per_worker = max(1, cases // concurrency)

    def worker(_: int) -> list[tuple[float, float, int]]:
        samples = []
        with httpx.Client(base_url=url, timeout=15, headers=headers) as client:
            for _ in range(per_worker):
                began = time.perf_counter()
                made = client.post("/mediation/cases", json=BODY)
                wrote, status = time.perf_counter() - began, made.status_code
                began = time.perf_counter()
                if status == 201:
                    status = max(status, client.get(
                        f"/mediation/cases/{made.json()['id']}").status_code)
                samples.append((wrote, time.perf_counter() - began, status))
        return samples

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        samples = [s for chunk in pool.map(worker, range(concurrency)) for s in chunk]
    return samples, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    results: dict = {"cases": args.cases, "concurrency": args.concurrency,
                     "machine": report.machine()}
    with isolated_stack() as (stack, _vhost):
        tenancy = make_tenancy(stack.amqp_uri, 1, roles=("community_admin",))
        admin = tenancy.users["community_admin"]
        headers = {"Authorization": "Bearer " + tokens.issue(admin, DEV_JWT_SECRET, 3600)}
        run(stack.gateway_url, headers, args.concurrency * 2, args.concurrency)  # warm up
        samples, elapsed = run(stack.gateway_url, headers, args.cases, args.concurrency)
        errors = sum(1 for s in samples if s[2] >= 400)
        with httpx.Client(base_url=stack.gateway_url, timeout=15, headers=headers) as client:
            figures = client.get("/mediation/figures", params={
                "unit": "community", "unit_id": admin["community_id"]}).json()
        results |= {
            "opened": len(samples), "seconds": round(elapsed, 2), "errors": errors,
            "cases_per_second": round(len(samples) / elapsed, 1),
            "open_ms": report.p50_p95_ms([s[0] for s in samples]),
            "read_ms": report.p50_p95_ms([s[1] for s in samples]),
            "counted": figures.get("cases"),
            "counters_match": figures.get("cases") == len(samples) + args.concurrency * 2}
        print(results, flush=True)
    path = report.write("mediation-cases", results)
    print(f"written {path}")


if __name__ == "__main__":
    main()
