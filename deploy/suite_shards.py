"""The test suite as shards run at once (`make test`; `python -m deploy.suite_shards`).

The suite waits on the broker and the store more than it computes: one pytest process keeps
about half of this machine's two cores busy. pytest-split cuts the collected tests into
contiguous chunks of about equal recorded duration (`tests/.test_durations`), so each
package's fixtures (its platform, its stack) start in one shard, except the package at a
cut, which starts in both. Every shard has its own embedded store and per-test vhosts.
pytest-xdist is not used: its workers are not monkey-patched by eventlet, which nameko's
fixtures need (`nameko test` patches before pytest starts).

`--store-durations` re-records the durations: each shard writes its own file, merged after.
Any other argument goes to every shard's pytest.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

DURATIONS = Path("tests/.test_durations")


def _pump(stream: IO[str], prefix: str, out_lock: threading.Lock) -> None:
    for line in stream:
        with out_lock:
            sys.stdout.write(prefix + line)
            sys.stdout.flush()


def _shard_command(shards: int, group: int, durations: Path, store: bool,
                   extra: list[str]) -> list[str]:
    nameko = str(Path(sys.executable).with_name("nameko"))
    # "--option=value": pytest finds its rootdir and pyproject's addopts before plugins
    # declare their options, and a bare value there would be taken for a test path.
    command = [nameko, "test", f"--splits={shards}", f"--group={group}",
               "--splitting-algorithm=duration_based_chunks", f"--durations-path={durations}",
               "-p", "no:cacheprovider"]
    # --clean-durations: a shard writes only its own tests' durations (merged after), not
    # its stale copy of the others'
    return command + (["--store-durations", "--clean-durations"] if store else []) + extra


def run(shards: int, store: bool, extra: list[str]) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="linli-shards-"))
    paths = []
    for group in range(1, shards + 1):
        path = workdir / f"durations-{group}.json"
        if DURATIONS.exists():  # each shard splits from the same recorded durations
            shutil.copy(DURATIONS, path)
        else:
            path.write_text("{}")
        paths.append(path)
    started = time.monotonic()
    lock = threading.Lock()
    processes, pumps = [], []
    for group, path in enumerate(paths, start=1):
        process = subprocess.Popen(_shard_command(shards, group, path, store, extra),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, bufsize=1)
        pump = threading.Thread(target=_pump, args=(process.stdout, f"[{group}] ", lock))
        pump.start()
        processes.append(process)
        pumps.append(pump)
    codes = [process.wait() for process in processes]
    for pump in pumps:
        pump.join()
    if store:
        merged: dict[str, float] = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
        for path in paths:
            merged |= json.loads(path.read_text())
        DURATIONS.write_text(json.dumps(merged, sort_keys=True, indent=4) + "\n")
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"shards {codes} (exit codes) in {time.monotonic() - started:.0f} s", flush=True)
    return next((code for code in codes if code != 0), 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--store-durations", action="store_true")
    args, extra = parser.parse_known_args()
    sys.exit(run(args.shards, args.store_durations, extra))


if __name__ == "__main__":
    main()
