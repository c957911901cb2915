"""Shared steps for the audit tests: entries published as a service would, and read back."""

from __future__ import annotations

import time
import uuid
from typing import Any

from nameko.standalone.events import event_dispatcher

from deploy.waits import wait_until
from services.common.caller import Caller, Role
from services.common.contracts.audit import AuditRecorded
from services.common.contracts.envelope import new_event


def tag() -> str:
    return uuid.uuid4().hex[:8]


def publish(platform: Any, source: str, envelope: dict, times: int = 1) -> None:
    dispatch = event_dispatcher(platform.config)
    for _ in range(times):
        dispatch(source, "audit.recorded", envelope)


def an_entry(platform: Any, action: str, where: str = "A", record_id: str | None = None,
             **fields: Any) -> dict:
    """The envelope of an admin act in community `where` (not published yet)."""
    tenancy = platform.tenancy()
    community = tenancy.communities[where]
    actor = Caller(user_id=fields.pop("actor_id", f"u-admin-{where}"), role=Role.community_admin,
                   district_id=tenancy.district["id"], street_id=community["street_id"],
                   community_id=community["id"], request_id=f"req-{tag()}")
    payload = AuditRecorded(actor_id=actor.user_id, actor_role=actor.role,
                            district_id=actor.district_id, street_id=actor.street_id,
                            community_id=actor.community_id, action=action,
                            record_type=action.split(".")[0], record_id=record_id or tag(),
                            before={"state": "open"}, after={"state": "closed"},
                            ts=fields.pop("ts", time.time()), request_id=actor.request_id)
    return new_event(payload, actor, actor.community_id).to_message()


def entries(client: Any, headers: dict, **query: Any) -> list[dict]:
    """Every entry of a query, following the cursors."""
    found, cursor = [], None
    for _ in range(200):
        params = {k: v for k, v in (query | {"cursor": cursor}).items() if v is not None}
        got = client.get("/audit/entries", headers=headers, params=params)
        assert got.status_code == 200, got.text
        found += got.json()["items"]
        cursor = got.json()["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("the cursor never ended")


def wait_entries(client: Any, headers: dict, n: int, test=lambda e: True,  # noqa: ANN001
                 timeout: float = 15, **query: Any) -> list[dict]:
    seen: list[list[dict]] = []

    def probe() -> bool:
        seen.append([e for e in entries(client, headers, **query) if test(e)])
        return len(seen[-1]) >= n

    assert wait_until(probe, timeout=timeout, every=0.2), (query, seen[-1:])
    return seen[-1]
