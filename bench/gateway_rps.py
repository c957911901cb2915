"""Requests per second through the gateway to a service and back (loopback only).

Run against the local stack (`make up`):
    .venv/bin/python bench/gateway_rps.py --requests 2000 --concurrency 16
It signs in as a demo user and hammers an authenticated read that crosses
gateway → RabbitMQ RPC → identity → store. Bounded in count and time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import httpx

from deploy.seed import DEMO_PASSWORD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="community_admin")
    parser.add_argument("--path", default="/auth/me")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
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
    per_worker = args.requests // args.concurrency

    def worker(_: int) -> list[tuple[float, int]]:
        samples = []
        with httpx.Client(base_url=args.url, timeout=10, headers=headers) as client:
            for _ in range(per_worker):
                if time.monotonic() > deadline:
                    break
                began = time.perf_counter()
                status = client.get(args.path).status_code
                samples.append((time.perf_counter() - began, status))
        return samples

    began = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        samples = [s for chunk in pool.map(worker, range(args.concurrency)) for s in chunk]
    elapsed = time.perf_counter() - began
    latencies = sorted(s[0] for s in samples)
    errors = sum(1 for s in samples if s[1] >= 400)
    print(f"{len(samples)} requests in {elapsed:.1f}s: {len(samples) / elapsed:.0f} req/s, "
          f"errors {errors}, p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
