"""Shared helpers for intake's gateway tests."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from PIL import Image
from pydantic import BaseModel

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.dispatch import (
    GridChanged,
    OrderAcknowledged,
    OrderClaimed,
    OrderConfirmed,
    OrderCreated,
    OrderEscalated,
    OrderReturned,
)
from services.common.contracts.evaluation import RatingGiven
from services.gateway import tokens
from tests.platform import Platform

HERE = {"lat": 39.9042, "lng": 116.4074, "address": "东湖路 12 号"}
OUTSIDE_LAT = 45.0  # the communities' boundary in `grid_states` ends at this latitude


def box(min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> list[list[float]]:
    return [[min_lng, min_lat], [max_lng, min_lat], [max_lng, max_lat], [min_lng, max_lat]]


def grid_states(community_id: str, version: int = 1) -> list[GridChanged]:
    """Dispatch's grids of a community as its events carry them: the root (whose polygon is
    the community's boundary) and one grid around HERE."""
    return [
        GridChanged(grid_id=f"g-root-{community_id}", community_id=community_id, code="root",
                    name="一级网格", depth=1, is_root=True,
                    polygon=box(110.0, 30.0, 120.0, OUTSIDE_LAT), version=version),
        GridChanged(grid_id=f"grid-{community_id}-1", community_id=community_id, code="g1",
                    name="一网格", depth=2, parent_id=f"g-root-{community_id}",
                    polygon=box(116.3, 39.8, 116.5, 40.0), version=version)]


def publish_grid_event(platform: Platform, event: BaseModel, community_id: str) -> None:
    """Publish a dispatch grid event and wait for intake to apply it."""
    method = "on_grid_changed" if isinstance(event, GridChanged) else "on_grid_removed"
    envelope = new_event(event, Caller.system(), community_id)
    with entrypoint_waiter(platform.containers["intake"], method, timeout=10):
        event_dispatcher(platform.config)("dispatch", envelope.type, envelope.to_message())


def publish_grids(platform: Platform, where: str = "A") -> None:
    """What dispatch announces for a community's grids, applied by intake."""
    community_id = platform.community_id(where)
    for state in grid_states(community_id):
        publish_grid_event(platform, state, community_id)


def sign_in(platform: Platform, role: str, where: str = "A", name: str = "1") -> dict:
    """Headers with a token signed by the gateway's secret for a user of `role` in `where`.

    Intake trusts the token's claims only; creating the account and signing in through
    identity costs two argon2 hashes (~1 s) per user and is identity's own test subject.
    """
    tenancy = platform.tenancy()
    user: dict[str, Any] = {"id": f"u-{role}-{where}-{name}", "role": role,
                            "district_id": tenancy.district["id"]}
    if role == "street_admin":
        user["street_id"] = tenancy.streets[where]["id"]
    elif role not in ("district_admin", "ops"):
        community = tenancy.communities[where]
        user |= {"community_id": community["id"], "street_id": community["street_id"]}
    if role == "grid_worker":
        user["grid_id"] = f"grid-{where}-{name}"
    token = tokens.issue(user, platform.settings.jwt_secret, 600)
    return {"Authorization": f"Bearer {token}"}


def user_id(role: str, where: str = "A", name: str = "1") -> str:
    return f"u-{role}-{where}-{name}"


def issue_body(platform: Platform, where: str = "A", **overrides: Any) -> dict:
    body = {"community_id": platform.community_id(where), "category": "street_lighting",
            "description": "3 号楼前的路灯一周没亮了", "location": dict(HERE), "channel": "app"}
    return body | overrides


def file_issue(platform: Platform, role: str = "resident", where: str = "A", name: str = "1",
               **overrides: Any) -> dict:
    assert platform.client is not None
    response = platform.client.post("/issues", headers=sign_in(platform, role, where, name),
                                    json=issue_body(platform, where, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0), 3: "E", 4: (116.0, 24.0, 27.0)}
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, "JPEG", exif=exif)
    return out.getvalue()


ORDER_EVENTS = {
    "order.created": ("on_order_created", OrderCreated),
    "order.claimed": ("on_order_claimed", OrderClaimed),
    "order.acknowledged": ("on_order_acknowledged", OrderAcknowledged),
    "order.confirmed": ("on_order_confirmed", OrderConfirmed),
    "order.returned": ("on_order_returned", OrderReturned),
    "order.escalated": ("on_order_escalated", OrderEscalated),
}


def publish_order(platform: Platform, event_type: str, issue: dict, **fields: Any) -> None:
    """Publish a dispatch order event as dispatch would, and wait for intake to apply it."""
    method, model = ORDER_EVENTS[event_type]
    now = datetime.now(UTC)
    defaults: dict[str, Any] = {
        "order_id": f"o-{issue['id']}", "issue_id": issue["id"],
        "community_id": issue["community_id"], "level": "community",
        "response_due_at": now + timedelta(hours=2), "resolution_due_at": now + timedelta(days=1),
        "responder_id": "u-volunteer", "result": "路灯已更换", "reason": "超时",
        "from_level": "grid"}
    names = set(model.model_fields)
    payload = model(**{k: v for k, v in (defaults | fields).items() if k in names})
    envelope = new_event(payload, Caller.system(), issue["community_id"])
    with entrypoint_waiter(platform.containers["intake"], method, timeout=10):
        event_dispatcher(platform.config)("dispatch", event_type, envelope.to_message())


def publish_rating(platform: Platform, issue: dict, outcome: str = "close",
                   level: str = "satisfied") -> None:
    """Publish evaluation's rating.given (ratings are evaluation's) and wait for intake."""
    payload = RatingGiven(issue_id=issue["id"], community_id=issue["community_id"],
                          rater_id="u-reporter", level=level, comment="满意", round=1,
                          outcome=outcome)
    envelope = new_event(payload, Caller.system(), issue["community_id"])
    with entrypoint_waiter(platform.containers["intake"], "on_rating_given", timeout=10):
        event_dispatcher(platform.config)("evaluation", "rating.given", envelope.to_message())


class Flow:
    """Drive issues through the lifecycle: admin actions over HTTP, dispatch's as events."""

    BODIES: dict[str, dict] = {
        "triage": {}, "reject": {"reason": "invalid", "note": "重复提交"},
        "resolve": {"note": "已告知居民自行协商"}, "close": {"note": "结案"},
        "reopen": {"reason": "灯还是不亮"}}
    # (a resident's reopen is a rating, evaluation's: the direct reopen is the admins')
    REPORTER_ACTIONS: frozenset[str] = frozenset()
    PATHS: dict[str, list[str]] = {
        "received": [], "triaged": ["triage"], "dispatched": ["triage", "order.created"],
        "in_progress": ["triage", "order.created", "order.claimed"],
        "resolved": ["triage", "order.created", "order.claimed", "order.confirmed"],
        "rejected": ["reject"], "merged": ["merge"]}
    # A satisfied rating (evaluation's event) rates and closes the issue in one go.
    PATHS["closed"] = [*PATHS["resolved"], "rating.given"]
    PATHS["reopened"] = [*PATHS["resolved"], "reopen"]

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        assert platform.client is not None
        self.client = platform.client
        self._original: dict | None = None

    def original(self) -> dict:
        """An open issue that duplicates can be merged into."""
        if self._original is None:
            self._original = file_issue(self.platform, name="original")
        return self._original

    def act(self, issue: dict, action: str) -> Any:
        if action.startswith("order."):
            publish_order(self.platform, action, issue)
            return None
        if action == "rating.given":
            publish_rating(self.platform, issue)
            return None
        who = ("resident", "A") if action in self.REPORTER_ACTIONS else ("community_admin", "A")
        body = ({"original_id": self.original()["id"]} if action == "merge"
                else self.BODIES[action])
        return self.client.post(f"/issues/{issue['id']}/{action}",
                                headers=sign_in(self.platform, *who), json=body)

    def issue_in(self, state: str) -> dict:
        issue = file_issue(self.platform)
        for step in self.PATHS[state]:
            response = self.act(issue, step)
            assert response is None or response.status_code == 200, response.text
        got = self.client.get(f"/issues/{issue['id']}",
                              headers=sign_in(self.platform, "community_admin"))
        assert got.json()["state"] == state, (state, got.json()["state"])
        return got.json()


class IntakeListener:
    """Records intake's events as a consumer would see them (wait with entrypoint_waiter)."""

    name = "intake_listener"

    @event_handler("intake", "issue.triaged")
    def on_triaged(self, body: dict) -> dict:
        return body

    @event_handler("intake", "issue.merged")
    def on_merged(self, body: dict) -> dict:
        return body

    @event_handler("intake", "issue.status_changed")
    def on_status_changed(self, body: dict) -> dict:
        return body

    @event_handler("intake", "issue.received")
    def on_received(self, body: dict) -> dict:
        return body


def near(metres_north: float) -> dict:
    """A point `metres_north` of HERE."""
    return {"lat": HERE["lat"] + metres_north / 111_195, "lng": HERE["lng"]}
