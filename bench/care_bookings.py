"""Care bookings per second through the gateway, and the capacity held under load: many
residents book the seats of a few sessions at once (the seat is one conditional update).

    .venv/bin/python bench/care_bookings.py                       # 400 requests, 16 at a time
    .venv/bin/python bench/care_bookings.py --requests 2000 --capacity 300 --concurrency 32

Starts an isolated stack of its own (bench/isolated.py: own store, vhost and ports, no
demo seed), makes a community and its admin, adds a service with `--sessions` sessions of
`--capacity` seats, then has distinct residents (signed tokens) `POST
/care/sessions/{id}/bookings` in turn over the sessions. It checks each session's booked
seats equal the 201s it got and never exceed the capacity. Loopback only.
Results: bench/results/care-bookings-<stamp>.json and -latest.json.
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

BODY = {"beneficiary": {"name": "长者 (bench)", "age": 75}}


def resident_headers(admin: dict) -> dict:
    user = {k: admin[k] for k in ("district_id", "street_id", "community_id")} | {
        "id": f"u-bench-{uuid.uuid4().hex[:10]}", "role": "resident"}
    return {"Authorization": "Bearer " + tokens.issue(user, DEV_JWT_SECRET, 3600)}


def run(url: str, admin: dict, sessions: list[str], requests: int,
        concurrency: int) -> tuple[list, float]:
    def one(i: int) -> tuple[str, float, int]:
        session = sessions[i % len(sessions)]
        with httpx.Client(base_url=url, timeout=15) as client:
            began = time.perf_counter()
            made = client.post(f"/care/sessions/{session}/bookings", json=BODY,
                               headers=resident_headers(admin))
            return session, time.perf_counter() - began, made.status_code

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        samples = list(pool.map(one, range(requests)))
    return samples, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--capacity", type=int, default=150)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    results: dict = {"requests": args.requests, "sessions": args.sessions,
                     "capacity": args.capacity, "concurrency": args.concurrency,
                     "machine": report.machine()}
    with isolated_stack() as (stack, _vhost):
        tenancy = make_tenancy(stack.amqp_uri, 1, roles=("community_admin",))
        admin = tenancy.users["community_admin"]
        headers = {"Authorization": "Bearer " + tokens.issue(admin, DEV_JWT_SECRET, 3600)}
        with httpx.Client(base_url=stack.gateway_url, timeout=15, headers=headers) as client:
            service = client.post("/care/services", json={
                "kind": "meal_aid", "title": "长者助餐 (bench)", "detail": "午餐",
                "provider_kind": "social_org", "provider_name": "食堂",
                "capacity": args.capacity, "eligibility": {"min_age": 60}}).json()
            now = time.time()
            sessions = [client.post(f"/care/services/{service['id']}/sessions", json={
                "starts_ts": now + 3600 * (i + 1), "ends_ts": now + 3600 * (i + 2)}).json()["id"]
                for i in range(args.sessions)]
        samples, elapsed = run(stack.gateway_url, admin, sessions, args.requests,
                               args.concurrency)
        with httpx.Client(base_url=stack.gateway_url, timeout=15) as client:
            seats = {s["id"]: s for s in client.get(
                f"/care/services/{service['id']}/sessions?limit=100").json()["items"]}
        booked = {sid: sum(1 for s in samples if s[0] == sid and s[2] == 201)
                  for sid in sessions}
        results |= {
            "seconds": round(elapsed, 2), "requests_per_second": round(len(samples) / elapsed, 1),
            "booked": sum(booked.values()),
            "full": sum(1 for s in samples if s[2] == 409),
            "errors": sum(1 for s in samples if s[2] not in (201, 409)),
            "book_ms": report.p50_p95_ms([s[1] for s in samples]),
            "capacity_held": all(seats[sid]["booked"] == booked[sid] <= args.capacity
                                 for sid in sessions)}
        print(results, flush=True)
    path = report.write("care-bookings", results)
    print(f"written {path}")


if __name__ == "__main__":
    main()
