"""Ballots per second through the gateway: one household vote, every household voting once,
then every household trying again (issue #13).

    .venv/bin/python bench/deliberation_ballots.py                      # 1,000 households
    .venv/bin/python bench/deliberation_ballots.py --households 2000 --concurrency 16

Starts an isolated stack of its own (bench/isolated.py: own store, vhost and ports, no
demo seed), makes a community, a hall, a listed topic, a meeting with its minutes and an
approved review over RPC, opens a secret household vote over `--households` households of
one member each, then times `POST /meetings/{id}/ballots` through the gateway: the first
pass (every household once: 201) and a second pass (every household again: 409 from the
ballot's unique key). It waits for the durable close and checks the published turnout
equals the ballots accepted. Voters are signed tokens (the gateway trusts the signature;
an argon2 sign-in per voter would time identity, not the ballot path). Loopback only.
Results: bench/results/deliberation-ballots-<stamp>.json and -latest.json.
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
from bench.tenancy import make_tenancy, rpc_proxy  # noqa: E402
from services.common.config import DEV_JWT_SECRET  # noqa: E402
from services.gateway import tokens  # noqa: E402

FOUR = ("community_committee", "mediation_committee", "police", "residents_representative")


def caller_of(user: dict) -> dict:
    return {"user_id": user["id"], "role": user["role"], "district_id": user["district_id"],
            "street_id": user["street_id"], "community_id": user["community_id"]}


def open_vote(amqp_uri: str, admin: dict, households: int, window: float) -> dict:
    """A meeting ready for its vote, and the vote opened over `households` households."""
    with rpc_proxy(amqp_uri, timeout=60) as rpc:
        d = rpc.deliberation
        hall = d.create_hall(admin, {"kind": "community", "name": "压测议事厅", "capacity": 50})
        topic = d.propose_topic(admin, {"title": "压测议题", "detail": "投票吞吐",
                                        "category": "blue"})
        start = (time.time() // 1800 + 48) * 1800
        people = [{"account_id": f"bp-{i}", "party": p} for i, p in enumerate(FOUR)]
        for person, kind in zip(people, ("party_representative", "mediator", "police",
                                         "residents_representative"), strict=True):
            d.add_representative(admin, {"account_id": person["account_id"],
                                         "display_name": "代表", "kind": kind})
        meeting = d.schedule_meeting(admin, {"topic_id": topic["id"], "hall_id": hall["id"],
                                             "starts_ts": start, "ends_ts": start + 3600,
                                             "participants": people})
        d.record_minutes(admin, meeting["id"], {
            "steps": [{"kind": "motion", "speaker_id": "bp-0", "text": "动议"}],
            "plan": {"summary": "压测", "leader": "书记", "deadline_ts": time.time() + 86400,
                     "tasks": [{"category": "other", "summary": "压测任务"}]}})
        d.review_decision(admin, meeting["id"], {"approve": True})
        return d.open_vote(admin, meeting["id"], {
            "electorate": [{"household_id": f"bh-{i}", "members": [f"bv-{i}"]}
                           for i in range(households)],
            "quorum": "half", "secret": True, "closes_ts": time.time() + window})


def cast_all(url: str, meeting_id: str, headers: list[dict], concurrency: int,
             choice_of) -> tuple[float, list[tuple[float, int]]]:  # noqa: ANN001
    chunks = [list(range(k, len(headers), concurrency)) for k in range(concurrency)]

    def worker(indexes: list[int]) -> list[tuple[float, int]]:
        out = []
        with httpx.Client(base_url=url, timeout=30) as http:
            for i in indexes:
                began = time.perf_counter()
                r = http.post(f"/meetings/{meeting_id}/ballots", headers=headers[i],
                              json={"choice": choice_of(i)})
                out.append((time.perf_counter() - began, r.status_code))
        return out

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        samples = [s for chunk in pool.map(worker, chunks) for s in chunk]
    return time.perf_counter() - began, samples


def row(label: str, elapsed: float, samples: list[tuple[float, int]]) -> dict:
    codes: dict[str, int] = {}
    for _, code in samples:
        codes[str(code)] = codes.get(str(code), 0) + 1
    return {"pass": label, "requests": len(samples), "seconds": round(elapsed, 2),
            "per_s": round(len(samples) / elapsed, 1), "codes": codes,
            **report.summary_ms([s[0] for s in samples])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--window", type=float, default=120.0,
                        help="vote window, seconds (both passes must fit in it)")
    args = parser.parse_args()
    if not 1 <= args.households <= 2000:
        raise SystemExit("--households: 1..2000 (a vote's electorate limit)")

    results: dict = {"households": args.households, "concurrency": args.concurrency,
                     "machine": report.machine()}
    with isolated_stack() as (stack, _vhost):
        tenancy = make_tenancy(stack.amqp_uri, 1, roles=("community_admin",))
        admin_user = tenancy.users["community_admin"]
        admin = caller_of(admin_user)
        vote = open_vote(stack.amqp_uri, admin, args.households, args.window)
        voters = [{"id": f"bv-{i}", "role": "resident", "district_id": admin["district_id"],
                   "street_id": admin["street_id"], "community_id": admin["community_id"]}
                  for i in range(args.households)]
        headers = [{"Authorization": f"Bearer {tokens.issue(v, DEV_JWT_SECRET, 3600)}"}
                   for v in voters]
        first = row("first", *cast_all(stack.gateway_url, vote["id"], headers,
                                       args.concurrency, lambda i: "yes" if i % 3 else "no"))
        print(first, flush=True)
        again = row("again", *cast_all(stack.gateway_url, vote["id"], headers,
                                       args.concurrency, lambda i: "no"))
        print(again, flush=True)
        results["passes"] = [first, again]
        accepted = first["codes"].get("201", 0)
        deadline = vote["vote_closes_ts"] + 60
        closed = None
        with rpc_proxy(stack.amqp_uri) as rpc:
            while time.time() < deadline:
                got = rpc.deliberation.get_meeting(admin, vote["id"])
                if got["result"]:
                    closed = got["result"]
                    break
                time.sleep(1)
        results["closed"] = closed
        results["turnout_matches_accepted"] = bool(closed and closed["turnout"] == accepted)
        print({"closed": closed, "accepted": accepted}, flush=True)
    path = report.write("deliberation-ballots", results)
    print(f"written {path}")


if __name__ == "__main__":
    main()
