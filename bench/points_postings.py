"""Ledger postings per second with 64 concurrent clients on shared accounts, then proof of
no double-spend: every balance equals the sum of its postings, the books sum to zero, no
resident below zero (services/points/verify.py), on a fresh embedded store.

    .venv/bin/python bench/points_postings.py                  # 64 clients, 20 s
    .venv/bin/python bench/points_postings.py --clients 64 --seconds 30 --accounts 16 \
        --procs 2                                              # clients split over 2 processes

Each client loops: with probability 1/2 the pool pays a random resident (earn), otherwise a
random resident pays a random merchant (redeem: guarded by the balance, so some are refused
when the resident is short). Every posting has its own idempotency key. The same accounts
are shared by every client, so the guarded writes contend as they would on a busy community.
"""
# ruff: noqa: E402
import eventlet

eventlet.monkey_patch()

import argparse
import json
import multiprocessing
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mongoengine as me

from services.common.contracts.points import AccountKind, PostingReason
from services.common.testing.embedded_store import EmbeddedStore
from services.points import ledger, verify
from services.points.models import ALIAS, DOCUMENTS, Account

COMMUNITY = "c-bench"


def connect(uri: str, db: str) -> None:
    me.disconnect(ALIAS)
    me.connect(db=db, host=uri, alias=ALIAS, tz_aware=True, uuidRepresentation="standard")


def accounts(n: int) -> tuple[str, list[str], list[str]]:
    pool = ledger.ensure_account(COMMUNITY, AccountKind.pool)
    residents = [ledger.ensure_account(COMMUNITY, AccountKind.resident, f"u{i}")
                 for i in range(n)]
    merchants = [ledger.ensure_account(COMMUNITY, AccountKind.merchant, f"m{i}")
                 for i in range(max(1, n // 4))]
    return pool, residents, merchants


def client(pool: str, residents: list[str], merchants: list[str], until: float,
           tally: dict, latencies: list[float]) -> None:
    rng = random.Random()
    while time.time() < until:
        if rng.random() < 0.5:
            move = ledger.Move(COMMUNITY, pool, rng.choice(residents), rng.randint(1, 5),
                               PostingReason.earn, "bench", uuid.uuid4().hex)
        else:
            move = ledger.Move(COMMUNITY, rng.choice(residents), rng.choice(merchants),
                               rng.randint(1, 5), PostingReason.redeem, "bench",
                               uuid.uuid4().hex)
        began = time.perf_counter()
        done = ledger.post(move)
        latencies.append(time.perf_counter() - began)
        tally[done.state] = tally.get(done.state, 0) + 1


def _flush_every(seconds: float, until: float) -> None:
    while time.time() < until:
        eventlet.sleep(seconds)
        ledger.AFTERCARE.flush()


def worker(uri: str, db: str, clients: int, seconds: float, n_accounts: int,
           out: "multiprocessing.Queue") -> None:
    connect(uri, db)
    pool, residents, merchants = accounts(n_accounts)
    tally: dict[str, int] = {}
    latencies: list[float] = []
    until = time.time() + seconds
    threads = [eventlet.spawn(client, pool, residents, merchants, until, tally, latencies)
               for _ in range(clients)]
    flusher = eventlet.spawn(_flush_every, 0.5, until)  # the service's timer does this
    for thread in threads:
        thread.wait()
    flusher.wait()
    ledger.AFTERCARE.flush()
    out.put({"tally": tally, "latencies": latencies})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--accounts", type=int, default=16)
    parser.add_argument("--procs", type=int, default=1)
    args = parser.parse_args()
    store = EmbeddedStore(Path(f"/tmp/linli-points-bench/{uuid.uuid4().hex[:6]}")).start()
    db = f"pb{uuid.uuid4().hex[:6]}_points"
    try:
        connect(store.uri, db)
        for doc in DOCUMENTS:
            doc.ensure_indexes()
        accounts(args.accounts)
        me.disconnect(ALIAS)
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        per = [args.clients // args.procs + (i < args.clients % args.procs)
               for i in range(args.procs)]
        began = time.time()
        procs = [ctx.Process(target=worker, args=(store.uri, db, n, args.seconds,
                                                  args.accounts, out)) for n in per]
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        took = time.time() - began
        tally: dict[str, int] = {}
        latencies: list[float] = []
        for r in results:
            for k, v in r["tally"].items():
                tally[k] = tally.get(k, 0) + v
            latencies += r["latencies"]
        connect(store.uri, db)
        # Finish anything a lease left (none expected), then prove the books.
        ledger.sweep(now=time.time() + ledger.LEASE + 1)
        report = verify.verify_community(COMMUNITY)
        negative = Account._get_collection().count_documents(
            {"kind": {"$ne": "pool"}, "balance": {"$lt": 0}})
        latencies.sort()
        total = sum(tally.values())
        summary = {
            "clients": args.clients, "procs": args.procs, "accounts": args.accounts,
            "seconds": round(took, 1), "postings": total, "by_state": tally,
            "postings_per_s": round(total / args.seconds, 1),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1)
            if latencies else None,
            "verify": {"drift": report.drift, "zero_sum": report.zero_sum,
                       "in_transit": report.in_transit, "postings": report.postings},
            "negative_balances": negative,
            "double_spends": report.drift + negative + (0 if report.zero_sum else 1),
        }
        print(json.dumps(summary, indent=1))
    finally:
        store.stop()


if __name__ == "__main__":
    main()
