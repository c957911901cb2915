"""One measured scenario: its load, then when its orders came to exist; one result row."""

from __future__ import annotations

from bench import load, orders
from bench.report import machine, summary_ms
from bench.tenancy import Tenancy
from deploy.local_stack import Stack

SENDERS = {"open311": load.open311_request, "issues": load.issues_request}


def dispatch_uri(stack: Stack) -> str:
    uris = getattr(stack.settings, "mongo_uris", None) or {}
    return uris.get("dispatch", stack.mongo_uri)


def run(stack: Stack, tenancy: Tenancy, kind: str, mode: str, level: float,
        count: int, seconds: float, label: str = "") -> dict:
    """mode closed: `level` clients, `count` requests; mode open: `level` requests/s for
    `seconds`. The row: throughput, HTTP and until-order latencies, failures."""
    send = SENDERS[kind](tenancy.community_id, tenancy.tokens["resident"])
    if mode == "closed":
        samples, elapsed = load.closed_loop(stack.gateway_url, send, int(level), count,
                                            max_seconds=seconds)
    else:
        samples, elapsed = load.open_loop(stack.gateway_url, send, level, seconds)
    ok = [s for s in samples if s.status == 201]
    made = orders.order_times(dispatch_uri(stack), ok)
    lags = [made[s.issue_id] - s.due for s in ok if s.issue_id in made]
    last_answer = max((s.due + s.latency for s in ok), default=0.0)
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    http = summary_ms([s.latency for s in ok])
    order = summary_ms(lags)
    return {"label": label, "kind": kind, "mode": mode,
            "level": level, "sent": len(samples), "accepted": len(ok),
            "statuses": statuses, "seconds": round(elapsed, 1),
            "accepted_per_s": round(len(ok) / elapsed, 1) if elapsed else None,
            "http": http, "until_order": order,
            "orders_found": len(made), "orders_missing": len(ok) - len(made),
            "order_drain_s": round(max(made.values(), default=last_answer) - last_answer, 2),
            "machine": machine()}


def flat(row: dict) -> dict:
    """The columns of the printed table."""
    return {"scenario": row.get("label") or f"{row['kind']} {row['mode']} {row['level']:g}",
            "sent": row["sent"], "ok": row["accepted"], "ok/s": row["accepted_per_s"],
            "http p50": row["http"]["p50_ms"], "http p99": row["http"]["p99_ms"],
            "order p50": row["until_order"]["p50_ms"], "order p99": row["until_order"]["p99_ms"],
            "missing": row["orders_missing"], "drain s": row["order_drain_s"],
            "load1": row["machine"]["loadavg"][0]}


COLUMNS = ["scenario", "sent", "ok", "ok/s", "http p50", "http p99", "order p50",
           "order p99", "missing", "drain s", "load1"]
