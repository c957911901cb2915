"""Notifications: how fast events become inbox entries, and the inbox's reads through the
gateway (a page, the unread count, one read), on a stack of every process.

    .venv/bin/python bench/notify_inbox.py                      # 400 events, 200 reads
    .venv/bin/python bench/notify_inbox.py --events 1000 --reads 500

Starts an isolated stack (bench/isolated.py), publishes `redemption.confirmed` events for
one resident and one `vote.opened` for the community on the broker (as points and
deliberation publish them), waits until the resident's unread count says they all landed,
then times `GET /me/notifications`, `GET /me/notifications/unread-count` and `POST
/me/notifications/{id}/read`. Results: bench/results/notify-inbox-<stamp>.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx
from nameko.standalone.events import event_dispatcher

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import report  # noqa: E402
from bench.isolated import isolated_stack  # noqa: E402
from bench.tenancy import make_tenancy  # noqa: E402
from services.common.caller import Caller  # noqa: E402
from services.common.config import DEV_JWT_SECRET  # noqa: E402
from services.common.contracts.deliberation import VoteOpened  # noqa: E402
from services.common.contracts.envelope import new_event  # noqa: E402
from services.common.contracts.points import RedemptionConfirmed  # noqa: E402
from services.gateway import tokens  # noqa: E402


def timed(fn, n: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(n):
        began = time.perf_counter()
        answer = fn()
        assert answer.status_code == 200, answer.text
        out.append(time.perf_counter() - began)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    results: dict = {"events": args.events, "reads": args.reads, "machine": report.machine()}
    with isolated_stack() as (stack, _vhost):
        tenancy = make_tenancy(stack.amqp_uri, 1, roles=("resident",))
        resident = tenancy.users["resident"]
        community = resident["community_id"]
        headers = {"Authorization": "Bearer " + tokens.issue(resident, DEV_JWT_SECRET, 3600)}
        publish = event_dispatcher({"AMQP_URI": stack.amqp_uri})
        began = time.perf_counter()
        for i in range(args.events):
            event = RedemptionConfirmed(redemption_id=f"rd-bench-{i}", community_id=community,
                                        merchant_id="shop", resident_id=resident["id"],
                                        price=1, latency_seconds=1.0)
            publish("points", "redemption.confirmed",
                    new_event(event, Caller.system(), community).to_message())
        publish("deliberation", "vote.opened", new_event(VoteOpened(
            meeting_id="m-bench", decision_id="d-m-bench", topic_id="t", community_id=community,
            eligible=1000, closes_ts=time.time() + 86400), Caller.system(), community)
            .to_message())
        with httpx.Client(base_url=stack.gateway_url, timeout=15, headers=headers) as client:
            deadline = time.monotonic() + 600
            while client.get("/me/notifications/unread-count").json()["unread"] < args.events + 1:
                assert time.monotonic() < deadline, "the events did not all land"
                time.sleep(0.2)
            landed = time.perf_counter() - began
            pages = timed(lambda: client.get("/me/notifications", params={"limit": 20}),
                          args.reads)
            unread_pages = timed(lambda: client.get("/me/notifications",
                                                    params={"limit": 20, "unread": True}),
                                 args.reads)
            counts = timed(lambda: client.get("/me/notifications/unread-count"), args.reads)
            ids = [n["id"] for n in client.get("/me/notifications",
                                               params={"limit": 100}).json()["items"]]
            reads = timed(lambda: client.post(f"/me/notifications/{ids.pop()}/read"),
                          min(args.reads, len(ids)))
        results |= {
            "landed_seconds": round(landed, 2),
            "notifications_per_second": round((args.events + 1) / landed, 1),
            **{f"{name}_ms": report.p50_p95_ms(v) for name, v in (
                ("page", pages), ("unread_page", unread_pages), ("count", counts),
                ("read_one", reads))}}
        print(results, flush=True)
    path = report.write("notify-inbox", results)
    print(f"written {path}")


if __name__ == "__main__":
    main()
