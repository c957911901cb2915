"""Long-run reconciliation (issue #9 item 6; not a timed test): steady submissions, claims and
ratings through the gateway while each service and the gateway are SIGKILLed and restarted in
turn and the broker's connections are cut; then every answer is checked against the store.

    .venv/bin/python bench/reconcile.py --minutes 6 --lanes 6

Per type it prints accepted (the gateway answered 2xx), stored (found in the owning service's
store as accepted), duplicated (stored or applied more than once), lost (accepted, not
stored), refused (never accepted within the retry window), and how many of the accepted
requests were first sent while a process was down. Writes bench/results/reconcile-*.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pymongo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.faults import BROKER_CUT, FaultLoop  # noqa: E402
from bench.isolated import isolated_stack  # noqa: E402
from bench.lanes import Lane, Step  # noqa: E402
from bench.report import machine, table, write  # noqa: E402
from bench.tenancy import PASSWORD, SYSTEM, make_tenancy, rpc_proxy, sign_in  # noqa: E402

TYPES = ("submission", "claim", "rating")


def volunteers(stack, tenancy, count: int) -> list[tuple[str, str]]:
    """(user id, token) of `count` volunteers of the first community."""
    c = tenancy.communities[0]
    made = []
    with rpc_proxy(stack.amqp_uri) as rpc:
        for i in range(count):
            made.append(rpc.identity.create_user(SYSTEM, {
                "username": f"vol{i}_{c['id'][-6:]}", "password": PASSWORD,
                "role": "volunteer", "display_name": f"志愿者 {i}",
                "district_id": tenancy.district["id"], "street_id": c["street_id"],
                "community_id": c["id"]}))
    out = []
    with httpx.Client(base_url=stack.gateway_url, timeout=15) as http:
        for user in made:
            r = http.post("/auth/login", json={"username": user["username"],
                                               "password": PASSWORD})
            r.raise_for_status()
            out.append((user["id"], r.json()["access_token"]))
    return out


def verify(stack, steps: list[Step], faults: FaultLoop) -> dict[str, dict]:
    """accepted / stored / duplicated / lost / refused per type, from the stores."""
    intake = pymongo.MongoClient(stack.mongo_uri_of("intake"), tz_aware=True)["linli_intake"]
    dispatch = pymongo.MongoClient(stack.mongo_uri_of("dispatch"), tz_aware=True)[
        "linli_dispatch"]
    def check(kind: str, s: Step) -> tuple[bool, bool]:
        """(stored, stored or applied more than once) for one step, from the store."""
        issue = intake.issues.find_one({"_id": s.issue_id}) or {}
        if kind == "submission":
            return bool(issue), intake.issues.count_documents(
                {"idempotency": issue.get("idempotency") or "-"}) > 1
        if kind == "claim":
            oid = f"o-{s.issue_id}"
            order = dispatch.orders.find_one({"_id": oid}) or {}
            lines = dispatch.order_lines.find({"key": {"$gte": f"{oid}|", "$lt": f"{oid}|~"}})
            return bool(order.get("claimed_by") or order.get("state") in ("confirmed",)), sum(
                1 for t in lines if t.get("kind") == "claimed") > 1
        notes = [e.get("note", "") for e in intake.timeline.find({"issue_id": s.issue_id})]
        return issue.get("rating") == 5, sum(1 for n in notes if n.startswith("rated")) > 1

    rows: dict[str, dict] = {}
    for kind in TYPES:
        mine = [s for s in steps if s.kind == kind]
        ok = [s for s in mine if s.status < 300 or (kind == "claim" and s.status == 409)]
        refused = [s for s in mine if s not in ok]
        row = {"accepted": len(ok), "refused": len(refused), "stored": 0, "duplicated": 0,
               "lost": 0, "accepted_while_down": sum(1 for s in ok if faults.down_at(s.first_sent)),
               "retried": sum(1 for s in ok if s.attempts > 1),
               "refused_but_stored": 0, "refused_detail": []}
        for s in ok:
            stored, dup = check(kind, s)
            row["stored"] += stored
            row["lost"] += not stored
            row["duplicated"] += dup
        for s in refused:
            stored = bool(s.issue_id) and check(kind, s)[0]
            row["refused_but_stored"] += stored
            row["refused_detail"].append({"status": s.status, "attempts": s.attempts,
                                          "note": s.note, "stored": stored,
                                          "down": faults.down_at(s.first_sent)})
        rows[kind] = row
    # Issues this run stored that no accepted answer names (a "failed" write that was stored).
    named = {s.issue_id for s in steps if s.kind == "submission" and s.issue_id}
    community = intake.issues.find_one({"_id": next(iter(named), "-")}) or {}
    stored_ids = {d["_id"] for d in intake.issues.find(
        {"community_id": community.get("community_id", "-")}, {"_id": 1})}
    rows["submission"]["stored_unanswered"] = len(stored_ids - named)
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=6)
    p.add_argument("--lanes", type=int, default=6)
    p.add_argument("--fault-every", type=float, default=15)
    p.add_argument("--down-for", type=float, default=5)
    args = p.parse_args()
    with isolated_stack() as (stack, vhost):
        tenancy = make_tenancy(stack.amqp_uri, 1, roles=("resident", "community_admin"))
        sign_in(stack.gateway_url, tenancy)
        vols = volunteers(stack, tenancy, args.lanes)
        targets = [*(s for s in stack.processes()), BROKER_CUT]
        faults = FaultLoop(stack, vhost, targets, args.fault_every, args.down_for)
        stop_at = time.time() + args.minutes * 60
        lanes: list[Lane] = []

        def drive(i: int) -> None:
            vid, vtok = vols[i]
            with httpx.Client(base_url=stack.gateway_url, timeout=15) as http:
                lane = Lane(http, {**tenancy.tokens, "volunteer": vtok}, vid,
                            tenancy.community_id)
                lanes.append(lane)
                rng = random.Random(i)
                while time.time() < stop_at:
                    lane.one(rng)

        threads = [threading.Thread(target=drive, args=(i,), daemon=True)
                   for i in range(args.lanes)]
        time.sleep(1)
        faults.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.minutes * 60 + 900)
        faults.stop()
        time.sleep(5)  # let the last events land
        steps = [s for lane in lanes for s in lane.steps]
        rows = verify(stack, steps, faults)
    result = {"args": vars(args), "machine": machine(), "types": rows,
              "steps": dict(Counter(f"{s.kind}:{s.status}" for s in steps)),
              "outages": [o.__dict__ for o in faults.outages]}
    print(table([{"type": k, **{c: v for c, v in row.items() if c != "refused_detail"}}
                 for k, row in rows.items()],
                ["type", "accepted", "stored", "duplicated", "lost", "refused",
                 "accepted_while_down", "retried", "refused_but_stored",
                 "stored_unanswered"]))
    print(f"outages: {Counter(o.target for o in faults.outages)}")
    print(f"wrote {write('reconcile', result)}")


if __name__ == "__main__":
    main()
