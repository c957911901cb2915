"""Incubation's write path through the gateway: register an organisation, complete 发起,
recruit two members, complete 招募 (each a version-conditioned commit with its events,
audit entry and counters), then read the community's list page.

    .venv/bin/python bench/incubation_steps.py                    # 200 organisations, 8 at a time
    .venv/bin/python bench/incubation_steps.py --organisations 1000 --concurrency 16

Starts an isolated stack of its own (bench/isolated.py: own store, vhost and ports, no
demo seed), makes a community and its admin, and times each request with the admin's
signed token. It checks the counters (`GET /incubation/figures`) equal the organisations
made, all in the nurture stage. Loopback only.
Results: bench/results/incubation-steps-<stamp>.json and -latest.json.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import report  # noqa: E402
from bench.isolated import isolated_stack  # noqa: E402
from bench.tenancy import make_tenancy  # noqa: E402
from services.common.config import DEV_JWT_SECRET  # noqa: E402
from services.gateway import tokens  # noqa: E402

STEPS = ("register", "initiate", "member", "member", "recruit", "list")


def one(client: httpx.Client, founder: str) -> list[tuple[str, float, int]]:
    timed: list[tuple[str, float, int]] = []

    def call(name: str, method: str, path: str, body: dict | None = None) -> httpx.Response:
        began = time.perf_counter()
        got = client.request(method, path, json=body)
        timed.append((name, time.perf_counter() - began, got.status_code))
        return got

    made = call("register", "POST", "/incubation/organisations", {
        "kind": "mutual_aid", "name": "互助队 (bench)", "purpose": "bench",
        "founder_account_id": founder})
    if made.status_code != 201:
        return timed
    base = f"/incubation/organisations/{made.json()['id']}"
    call("initiate", "POST", f"{base}/steps/initiate/complete")
    for _ in range(2):
        call("member", "POST", f"{base}/members", {"account_id": f"u-{uuid.uuid4().hex[:10]}",
                                                   "name": "队员"})
    call("recruit", "POST", f"{base}/steps/recruit/complete")
    call("list", "GET", "/incubation/organisations?limit=20")
    return timed


def run(url: str, headers: dict, founder: str, n: int, concurrency: int) -> tuple[list, float]:
    per_worker = max(1, n // concurrency)

    def worker(_: int) -> list[tuple[str, float, int]]:
        with httpx.Client(base_url=url, timeout=15, headers=headers) as client:
            return [s for _ in range(per_worker) for s in one(client, founder)]

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        samples = [s for chunk in pool.map(worker, range(concurrency)) for s in chunk]
    return samples, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    results: dict = {"organisations": args.organisations, "concurrency": args.concurrency,
                     "machine": report.machine()}
    with isolated_stack() as (stack, _vhost):
        tenancy = make_tenancy(stack.amqp_uri, 1, roles=("community_admin",))
        admin = tenancy.users["community_admin"]
        headers = {"Authorization": "Bearer " + tokens.issue(admin, DEV_JWT_SECRET, 3600)}
        warm = args.concurrency
        run(stack.gateway_url, headers, admin["id"], warm, args.concurrency)
        samples, elapsed = run(stack.gateway_url, headers, admin["id"], args.organisations,
                               args.concurrency)
        with httpx.Client(base_url=stack.gateway_url, timeout=15, headers=headers) as client:
            figures = client.get("/incubation/figures").json()
        made = sum(1 for s in samples if s[0] == "register" and s[2] == 201)
        results |= {
            "made": made, "seconds": round(elapsed, 2),
            "errors": sum(1 for s in samples if s[2] >= 400),
            "requests_per_second": round(len(samples) / elapsed, 1),
            "ms": {name: report.p50_p95_ms([s[1] for s in samples if s[0] == name])
                   for name in dict.fromkeys(STEPS)},
            "counted": figures.get("organisations"),
            "counters_match": figures.get("organisations") == made + warm
            and figures.get("by_stage", {}).get("nurture") == made + warm}
        print(results, flush=True)
    path = report.write("incubation-steps", results)
    print(f"written {path}")


if __name__ == "__main__":
    main()
