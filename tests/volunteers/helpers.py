"""Shared steps for the volunteers service tests: an event probe, grids, profiles."""

from __future__ import annotations

import uuid
from typing import Any

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.dispatch import GridChanged
from tests.probes import event_probe, payloads

WATCHED = ("volunteer.hours_logged", "wish.fulfilled", "activity.checked_in", "match.accepted",
           "match.offered", "match.exhausted", "project.completed")


EventProbe = event_probe("volunteers_probe", [("volunteers", t) for t in WATCHED],
                         "Stands in for points and evaluation: every volunteers event.")


def events(kind: str, **match: Any) -> list[dict]:
    return payloads(EventProbe, kind, **match)


def wait_events(kind: str, n: int = 1, **match: Any) -> list[dict]:
    assert wait_until(lambda: len(events(kind, **match)) >= n, timeout=10, every=0.1), (
        kind, match, EventProbe.seen[-5:])
    return events(kind, **match)


def grid_tree(platform: Any, where: str = "A") -> dict[str, str]:
    """Publish dispatch's grid.changed for a small tree R → W → W1, W2; R → E."""
    community_id = platform.community_id(where)
    tag = uuid.uuid4().hex[:6]
    ids = {code: f"g-{where}-{code}-{tag}" for code in ("R", "W", "E", "W1", "W2")}
    rows = [("R", None, 1), ("W", "R", 2), ("E", "R", 2), ("W1", "W", 3), ("W2", "W", 3)]
    send = event_dispatcher(platform.config)
    for code, parent, depth in rows:
        payload = GridChanged(grid_id=ids[code], community_id=community_id, code=code,
                              name=code, depth=depth, parent_id=ids[parent] if parent else None,
                              is_root=parent is None, version=1)
        event = new_event(payload, Caller.system(), community_id)
        with entrypoint_waiter(platform.containers["volunteers"], "on_grid_changed", timeout=10):
            send("dispatch", "grid.changed", event.to_message())
    return ids


def profile_body(**extra: Any) -> dict:
    return {"display_name": "志愿者", "kinds": ["volunteer"], "skills": ["plumbing"],
            "consent": True, "contact": {"phone": "+86 138 0000 0000"}} | extra
