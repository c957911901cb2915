"""Matching at district scale: top 10 of 100,000 volunteer profiles for one need (issue #12).

    .venv/bin/python bench/volunteer_match.py                    # 100,000 profiles, ~1-2 min
    .venv/bin/python bench/volunteer_match.py --profiles 20000 --needs 200

Starts its own nx-27017, writes the profiles and a grid tree straight to it (as the
service stores them), then times what the service does: the start-up load of the match
index (`LiveIndex.load`: bounded pages of the `changed_ts` range, the same query replicas
catch up with), and `MatchIndex.top(need, 10)` for random needs (a skill of the taxonomy,
a grid, an instant) in three shapes:

- `community`: the district's profiles spread over 100 communities in 10 streets; a
  community admin's need (the community's ~1,000 candidates);
- `street`: the same, a street admin's need (reach=street: ~10,000 candidates);
- `one community`: all profiles in one community (the worst case: 100,000 candidates),
  built in memory from the same rows (the store's load is timed once, on the district).

Every 50th need is checked against scoring every candidate (`ranking.brute_force`).
Results: bench/results/volunteer-match-<stamp>.json and -latest.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import mongoengine as me

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import report  # noqa: E402
from services.common.contracts.skills import SKILLS  # noqa: E402
from services.common.testing.embedded_store import EmbeddedStore  # noqa: E402
from services.volunteers.domain.ranking import brute_force  # noqa: E402
from services.volunteers.domain.scoring import Need  # noqa: E402
from services.volunteers.index import LiveIndex  # noqa: E402
from services.volunteers.models import DOCUMENTS, Profile, VolunteerGrid  # noqa: E402

MONDAY_0 = 1_796_572_800.0  # 2026-12-07 00:00 UTC+8
CODES = list(SKILLS)


def grids_of(community: str) -> list[dict]:
    """A root, 6 level-2 grids, 72 level-3 grids (seed 004's 1 / 6 / 72)."""
    rows = [{"_id": f"{community}-R", "community_id": community, "parent_id": None, "depth": 1}]
    for a in range(6):
        rows.append({"_id": f"{community}-{a}", "community_id": community,
                     "parent_id": f"{community}-R", "depth": 2})
        for b in range(12):
            rows.append({"_id": f"{community}-{a}-{b}", "community_id": community,
                         "parent_id": f"{community}-{a}", "depth": 3})
    return [r | {"removed": False, "version": 1, "changed_ts": 1.0} for r in rows]


def profile_row(rng: random.Random, i: int, community: str, street: str) -> dict:
    windows = []
    for _ in range(rng.randrange(1, 4)):
        start = rng.randrange(6, 20) * 60
        windows.append({"weekday": rng.randrange(7), "start_minute": start,
                        "end_minute": min(1440, start + rng.choice((120, 180, 240)))})
    leaf = f"{community}-{rng.randrange(6)}-{rng.randrange(12)}"
    return {"_id": f"u{i:06d}", "district_id": "d", "street_id": street,
            "community_id": community, "display_name": f"志愿者{i}",
            "kinds": ["volunteer"], "skills": rng.sample(CODES, rng.randrange(1, 4)),
            "certifications": [], "languages": ["zh"], "grid_id": leaf, "windows": windows,
            "exceptions": [], "consent": True, "contact": {}, "hours_total": 0.0,
            "rating_sum": float(rng.randrange(0, 25)), "rating_count": rng.randrange(0, 6),
            "load": rng.randrange(0, 4), "created_ts": 1.0, "changed_ts": 1.0 + i * 1e-3,
            "version": 1, "outbox": [], "history_pending": [], "outbox_pending": False}


def seed(n: int, communities: int, streets: int, seed_: int = 7) -> None:
    rng = random.Random(seed_)
    VolunteerGrid._get_collection().delete_many({})
    Profile._get_collection().delete_many({})
    grid_rows = [g for c in range(communities) for g in grids_of(f"c{c}")]
    VolunteerGrid._get_collection().insert_many(grid_rows)
    batch = []
    for i in range(n):
        c = i % communities
        batch.append(profile_row(rng, i, f"c{c}", f"s{c % streets}"))
        if len(batch) == 2000:
            Profile._get_collection().insert_many(batch)
            batch = []
    if batch:
        Profile._get_collection().insert_many(batch)


def needs(rng: random.Random, count: int, communities: int, streets: int,
          street_reach: bool) -> list[Need]:
    out = []
    for _ in range(count):
        c = rng.randrange(communities)
        out.append(Need(community_id=f"c{c}", street_id=f"s{c % streets}" if street_reach
                        else None, skill=rng.choice(CODES),
                        grid_id=f"c{c}-{rng.randrange(6)}-{rng.randrange(12)}",
                        at_ts=MONDAY_0 + rng.randrange(0, 7 * 86400)))
    return out


def run_shape(live: LiveIndex, shape: list[Need], k: int) -> dict:
    """Wall time and this thread's CPU time per need (on a shared machine the wall time's
    tail is mostly waiting for a core; the CPU time is the work)."""
    samples, cpu, checked = [], [], 0
    for i, need in enumerate(shape):
        began, began_cpu = time.perf_counter(), time.thread_time()
        got = live.index.top(need, k)
        samples.append(time.perf_counter() - began)
        cpu.append(time.thread_time() - began_cpu)
        if i % 50 == 0:
            pool = [live.index.candidates[a] for a in live.index.candidates]
            assert got == brute_force(live.index.grids, pool, need, k), need
            checked += 1
    return {"needs": len(shape), "checked_against_brute_force": checked,
            **report.summary_ms(samples),
            **{f"cpu_{key}": value for key, value in report.summary_ms(cpu).items()}}


def in_memory(n: int, communities: int, streets: int) -> tuple[LiveIndex, float]:
    """The index built from the same rows without the store (what `load` does after reading)."""
    began = time.perf_counter()
    live = LiveIndex()
    rng = random.Random(7)
    for c in range(communities):
        for g in grids_of(f"c{c}"):
            live.put_grid(g)
    for i in range(n):
        c = i % communities
        live.put_profile(profile_row(rng, i, f"c{c}", f"s{c % streets}"))
    return live, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--store-profiles", type=int, default=None,
                        help="profiles written to nx-27017 to time the start-up load "
                             "(default: --profiles; 0: skip the store)")
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    stored = args.profiles if args.store_profiles is None else args.store_profiles
    rng = random.Random(11)
    results: dict = {"profiles": args.profiles, "k": args.k, "machine": report.machine()}
    if stored:
        with tempfile.TemporaryDirectory() as root:
            store = EmbeddedStore(Path(root)).start()
            try:
                me.connect(db="bench_volunteers", host=store.uri, alias="volunteers",
                           tz_aware=True, uuidRepresentation="standard")
                for doc in DOCUMENTS:
                    doc.ensure_indexes()
                began = time.perf_counter()
                seed(stored, 100, 10)
                seeded = time.perf_counter() - began
                live = LiveIndex()
                live.load()
                results["start-up load"] = {
                    "profiles": stored, "seed_s": round(seeded, 1),
                    "load_s": round(live.loaded_seconds or 0, 2),
                    "rows_per_s": round((stored + 2000) / (live.loaded_seconds or 1)),
                    "candidates": len(live.index), "loadavg_after": report.machine()["loadavg"]}
                print("start-up load", results["start-up load"], flush=True)
            finally:
                store.stop()
    for label, communities, streets in (("district", 100, 10), ("one community", 1, 1)):
        live, built = in_memory(args.profiles, communities, streets)
        row: dict = {"build_in_memory_s": round(built, 2), "candidates": len(live.index)}
        if communities > 1:
            row["community"] = run_shape(live, needs(rng, args.needs, 100, 10, False), args.k)
            row["street"] = run_shape(live, needs(rng, args.needs, 100, 10, True), args.k)
        else:
            row["one community"] = run_shape(live, needs(rng, args.needs, 1, 1, False), args.k)
        results[label] = row
        print(label, row, flush=True)
    results["machine_after"] = report.machine()
    path = report.write("volunteer-match", results)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
