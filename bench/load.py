"""Clients that file auto-triaged issues through the gateway: closed loop and open loop.

Each client thread keeps one keep-alive httpx connection. A sample is the wall-clock
moment the request was due, its latency (from that moment, so an open loop that falls
behind shows it) and the issue id the gateway answered with.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

CATEGORY = "fire_hazard"  # auto-triaged (catalogue): every accepted issue becomes an order
LAT, LNG = 39.9042, 116.4074


@dataclass(frozen=True)
class Sample:
    due: float  # time.time() when the request was due to be sent
    latency: float  # seconds from `due` to the answer
    status: int  # 0: no answer (timeout, connection error)
    issue_id: str | None


def _where(rng: random.Random) -> tuple[float, float]:
    # ~30 km across: duplicate search has something to look at, rarely a real match
    return LAT + rng.uniform(-0.15, 0.15), LNG + rng.uniform(-0.15, 0.15)


def open311_request(community_id: str, token: str) -> Callable[[httpx.Client, random.Random],
                                                                str | None]:
    def send(http: httpx.Client, rng: random.Random) -> tuple[int, str | None]:
        lat, lng = _where(rng)
        form = {"jurisdiction_id": community_id, "service_code": CATEGORY, "lat": f"{lat:.6f}",
                "long": f"{lng:.6f}", "api_key": token,
                "description": f"消防通道堵塞 {rng.randrange(10**9)} 号楼杂物"}
        r = http.post("/open311/v2/requests.json", content=urlencode(form),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        ok = r.status_code == 201
        return r.status_code, r.json()[0]["service_request_id"] if ok else None
    return send


def issues_request(community_id: str, token: str):
    def send(http: httpx.Client, rng: random.Random) -> tuple[int, str | None]:
        lat, lng = _where(rng)
        r = http.post("/issues", headers={"Authorization": f"Bearer {token}"}, json={
            "community_id": community_id, "category": CATEGORY, "channel": "app",
            "description": f"消防通道堵塞 {rng.randrange(10**9)} 号楼杂物",
            "location": {"lat": lat, "lng": lng, "address": "东1小区"}})
        return r.status_code, r.json()["id"] if r.status_code == 201 else None
    return send


def _one(http: httpx.Client, send, rng: random.Random, due: float) -> Sample:
    try:
        status, issue_id = send(http, rng)
    except (httpx.HTTPError, ValueError, KeyError, IndexError):
        status, issue_id = 0, None
    return Sample(due, time.time() - due, status, issue_id)


def closed_loop(base_url: str, send, clients: int, requests: int, max_seconds: float
                ) -> tuple[list[Sample], float]:
    """`clients` threads, each sending the next request as soon as the last is answered."""
    samples: list[Sample] = []
    lock, left = threading.Lock(), [requests]
    stop_at = time.monotonic() + max_seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base_url, timeout=15) as http:
            while time.monotonic() < stop_at:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                s = _one(http, send, rng, time.time())
                with lock:
                    samples.append(s)

    return samples, _run_threads(client, clients)


def open_loop(base_url: str, send, rate: float, seconds: float, clients: int = 64
              ) -> tuple[list[Sample], float]:
    """Requests due at a fixed `rate` for `seconds`, whatever the answers take; latency counts
    from when each was due (so falling behind is measured, not hidden)."""
    due: queue.Queue[float | None] = queue.Queue()
    samples: list[Sample] = []
    lock = threading.Lock()
    start = time.time() + 0.5
    for i in range(int(rate * seconds)):
        due.put(start + i / rate)
    for _ in range(clients):
        due.put(None)
    give_up = start + seconds + 20  # a request not sent by then is counted as failed

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base_url, timeout=15) as http:
            while (when := due.get()) is not None:
                if time.time() > give_up:
                    s = Sample(when, time.time() - when, 0, None)
                else:
                    time.sleep(max(0.0, when - time.time()))
                    s = _one(http, send, rng, when)
                with lock:
                    samples.append(s)

    return samples, _run_threads(client, clients)


def _run_threads(target, count: int) -> float:
    began = time.perf_counter()
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began
