"""Shared steps for the volunteers service tests: an event probe, grids, profiles."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from nameko.events import BROADCAST, event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.dispatch import GridChanged

WATCHED = ("volunteer.hours_logged", "wish.fulfilled", "activity.checked_in", "match.accepted",
           "match.offered", "match.exhausted", "project.completed")


def _recorder(event_type: str):  # noqa: ANN202
    @event_handler("volunteers", event_type, handler_type=BROADCAST, reliable_delivery=False)
    def record(self, body: dict) -> None:  # noqa: ANN001
        EventProbe.seen.append(body)

    record.__name__ = f"on_{event_type.replace('.', '_')}"
    return record


class EventProbe:
    """Stands in for points and evaluation: keeps every volunteers event it hears."""

    name = "volunteers_probe"
    seen: ClassVar[list[dict]] = []


for _type in WATCHED:
    setattr(EventProbe, f"on_{_type.replace('.', '_')}", _recorder(_type))


def events(kind: str, **match: Any) -> list[dict]:
    return [e["payload"] for e in EventProbe.seen if e["type"] == kind
            and all(e["payload"].get(k) == v for k, v in match.items())]


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
