"""Mediation's main write path through the gateway: open a walk-in case (its commit, outbox
and counters; volunteers answers its mediator request off the path), then read it back.

Run against the local stack (`make up`, seeded):
    .venv/bin/python bench/mediation_cases.py --cases 200 --concurrency 8
Signs in as the demo community admin. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import httpx

from deploy.seed import DEMO_PASSWORD

BODY = {"kind": "neighbour", "source": "walk_in", "summary": "楼上漏水 (bench)",
        "parties": [{"name": "甲"}, {"name": "乙"}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="community_admin")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()
    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("bench targets loopback only")
    with httpx.Client(base_url=args.url, timeout=10) as client:
        login = client.post("/auth/login", json={"username": args.user,
                                                 "password": DEMO_PASSWORD})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    deadline = time.monotonic() + args.max_seconds
    per_worker = max(1, args.cases // args.concurrency)

    def worker(_: int) -> list[tuple[float, float, int]]:
        samples = []
        with httpx.Client(base_url=args.url, timeout=10, headers=headers) as client:
            for _ in range(per_worker):
                if time.monotonic() > deadline:
                    break
                began = time.perf_counter()
                made = client.post("/mediation/cases", json=BODY)
                wrote = time.perf_counter() - began
                status = made.status_code
                if status == 201:
                    began = time.perf_counter()
                    status = max(status, client.get(
                        f"/mediation/cases/{made.json()['id']}").status_code)
                samples.append((wrote, time.perf_counter() - began, status))
        return samples

    began = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        samples = [s for chunk in pool.map(worker, range(args.concurrency)) for s in chunk]
    elapsed = time.perf_counter() - began
    writes, reads = sorted(s[0] for s in samples), sorted(s[1] for s in samples)
    errors = sum(1 for s in samples if s[2] >= 400)

    def p(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    print(f"{len(samples)} cases in {elapsed:.1f}s: {len(samples) / elapsed:.1f} cases/s, "
          f"errors {errors}; open p50 {p(writes, 0.5):.0f} ms p95 {p(writes, 0.95):.0f} ms "
          f"(mean {statistics.mean(writes) * 1000:.0f}); read p50 {p(reads, 0.5):.0f} ms")


if __name__ == "__main__":
    main()
