"""Shared steps for the care tests: an event probe, a service with a session, an elder."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.dispatch.helpers import token_headers
from tests.probes import event_probe, payloads

WATCHED = ("care.booked", "care.booking_cancelled", "care.delivered", "care.visited",
           "care.visit_missed", "care.visit_escalated", "audit.recorded")


EventProbe = event_probe("care_probe", [("care", t) for t in WATCHED],
                         "Keeps every care event it hears (what an outside consumer would see).")


def events(kind: str, **match: Any) -> list[dict]:
    return payloads(EventProbe, kind, **match)


def event_ids(kind: str, **match: Any) -> set[str]:
    """The distinct events (the relay publishes at least once: a copy has the same id)."""
    return {e["id"] for e in EventProbe.seen if e["type"] == kind
            and all(e["payload"].get(k) == v for k, v in match.items())}


def tag() -> str:
    return uuid.uuid4().hex[:8]


def resident(platform: Any, name: str | None = None, where: str = "A") -> dict:
    return token_headers(platform, "resident", f"u-res-{name or tag()}", where)


def add_service(platform: Any, headers: dict | None = None, **extra: Any) -> dict:
    body = {"kind": "meal_aid", "title": "长者助餐", "detail": "社区食堂午餐，送餐上门",
            "provider_kind": "social_org", "provider_name": "幸福食堂", "capacity": 5,
            "eligibility": {"min_age": 60}, "price_points": 0, "price_money_cents": 800,
            "hours": 1.5} | extra
    made = platform.client.post("/care/services", json=body,
                                headers=headers or platform.headers("community_admin"))
    assert made.status_code == 201, made.text
    return made.json()


def add_session(platform: Any, service_id: str, starts_in: float = -60,
                lasts: float = 3600, **extra: Any) -> dict:
    now = time.time()
    made = platform.client.post(f"/care/services/{service_id}/sessions",
                                headers=platform.headers("community_admin"),
                                json={"starts_ts": now + starts_in,
                                      "ends_ts": now + starts_in + lasts} | extra)
    assert made.status_code == 201, made.text
    return made.json()


def elderly(name: str = "王奶奶", age: int = 82) -> dict:
    return {"beneficiary": {"name": name, "age": age, "living_alone": True}}


def book(platform: Any, session_id: str, headers: dict, body: dict | None = None) -> Any:
    return platform.client.post(f"/care/sessions/{session_id}/bookings", headers=headers,
                                json=body or elderly())
