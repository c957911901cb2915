"""The ceilings measured in the same run as the platform: bare RPC + event, bare store ops."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Callable

import pymongo

from bench.report import summary_ms
from deploy.local_stack import NAMEKO_CONFIG, Stack
from deploy.processes import ProcessSpec
from deploy.waits import wait_until
from services.gateway.rpc import RpcPool

ECHO = "bench_echo"


def _hammer(call: Callable[[int], None], clients: int, seconds: float) -> dict:
    """`clients` threads calling `call(i)` back to back for `seconds`: rate and latencies."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(w: int) -> None:
        i = 0
        while time.monotonic() < stop:
            began = time.perf_counter()
            try:
                call(w * 10**7 + i)
            except Exception:  # noqa: BLE001 - a ceiling counts failures, it does not stop
                with lock:
                    errors[0] += 1
                continue
            finally:
                i += 1
            with lock:
                lat.append(time.perf_counter() - began)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    elapsed = time.perf_counter() - began
    return {"ops": len(lat), "errors": errors[0], "seconds": round(elapsed, 2),
            "per_s": round(len(lat) / elapsed, 1), **summary_ms(lat)}


def rpc_echo(stack: Stack, clients: int, seconds: float) -> dict:
    """Start the echo service in the stack's vhost, drive it from `clients` threads."""
    argv = [sys.executable, "-m", "nameko", "run", "--config", str(NAMEKO_CONFIG),
            "bench.echo_service:EchoService"]
    pool = RpcPool(stack.amqp_uri, clients, timeout=10)

    def answers() -> bool:
        try:
            return pool.call(ECHO, "echo", {"ping": 1}) == {"ping": 1}
        except Exception:  # noqa: BLE001 - not up yet
            return False

    stack.table.start(ProcessSpec(ECHO, argv, 0, healthy=answers), stack.env)
    try:
        if not wait_until(answers, 60, every=0.5):
            return {"error": f"echo service did not answer: {stack.table.tail(ECHO)}"}
        body = {"community_id": "c", "text": "x" * 200}
        return _hammer(lambda i: pool.call(ECHO, "echo", body), clients, seconds)
    finally:
        pool.close()
        stack.table.stop(ECHO)


def store_ops(uri: str, clients: int, seconds: float) -> dict:
    """Bare indexed insert, and find by an indexed field, on the platform's own store."""
    client = pymongo.MongoClient(uri, maxPoolSize=clients + 2, serverSelectionTimeoutMS=5000)
    db = client[f"bench_ceiling_{uuid.uuid4().hex[:6]}"]
    col = db.docs
    col.create_index("key")
    run = uuid.uuid4().hex[:6]
    try:
        inserts = _hammer(lambda i: col.insert_one(
            {"_id": f"{run}-{i}", "key": f"k{i}", "community_id": "c", "text": "x" * 300}),
            clients, seconds)
        keys = [d["key"] for d in col.find({}, {"key": 1}).limit(2000)]
        finds = _hammer(lambda i: col.find_one({"key": keys[i % len(keys)]}), clients, seconds)
    finally:
        client.drop_database(db.name)
        client.close()
    return {"insert": inserts, "find": finds}
