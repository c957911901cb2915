"""What every benchmark script shares: percentiles, the machine's load, results as JSON."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`, None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50 / p95 / p99 / max in milliseconds."""
    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 2)
    return {"p50_ms": ms(percentile(seconds, 50)), "p95_ms": ms(percentile(seconds, 95)),
            "p99_ms": ms(percentile(seconds, 99)), "max_ms": ms(max(seconds, default=None))}


def p50_p95_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50 and p95 in milliseconds, to a tenth (None for none)."""
    return {f"p{q}": None if (v := percentile(seconds, q)) is None else round(v * 1000, 1)
            for q in (50, 95)}


def machine() -> dict[str, Any]:
    """Load average and core count, recorded next to every figure (the machine is shared)."""
    return {"loadavg": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
            "python": platform.python_version(), "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def write(name: str, data: dict[str, Any]) -> Path:
    """bench/results/<name>-<timestamp>.json and <name>-latest.json; the path written."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    path.write_text(text)
    (RESULTS / f"{name}-latest.json").write_text(text)
    return path


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain fixed-width table (also valid as the body of a markdown table)."""
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    line = "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"
            for row in cells]
    return "\n".join([line, rule, *body])


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.0f}"
    return str(value)
