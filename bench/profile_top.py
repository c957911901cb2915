"""Summarise a py-spy raw profile (`py-spy record -f raw`): the frames most samples are in.

    py-spy record -p PID -d 30 --nonblocking -f raw -o store.txt
    .venv/bin/python bench/profile_top.py store.txt --top 15
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def _short(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m["file"]
    for marker in ("site-packages/", "/work/wt/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{m['func']} ({path})"


def summarise(path: Path) -> tuple[int, Counter, Counter]:
    """(samples, inclusive counts, self counts) by function."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = [_short(f) for f in stack.split(";") if f]
        total += n
        for f in set(frames):
            inclusive[f] += n
        if frames:
            own[frames[-1]] += n
    return total, inclusive, own


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("profile", type=Path)
    p.add_argument("--top", type=int, default=15)
    args = p.parse_args()
    total, inclusive, own = summarise(args.profile)
    print(f"{total} samples")
    for title, counts in (("inclusive", inclusive), ("self", own)):
        print(f"-- top {args.top} {title}")
        for frame, n in counts.most_common(args.top):
            print(f"{n / total * 100:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
