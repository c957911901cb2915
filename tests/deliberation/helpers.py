"""Shared steps for the deliberation tests: an event probe, RPC calls, a decided meeting."""

from __future__ import annotations

import time
import uuid
from typing import Any

from deploy.waits import wait_until
from tests.probes import event_probe, payloads

WATCHED = (("deliberation", "topic.listed"), ("deliberation", "meeting.scheduled"),
           ("deliberation", "meeting.attended"), ("deliberation", "decision.reviewed"),
           ("deliberation", "decision.approved"), ("deliberation", "vote.cast"),
           ("deliberation", "vote.closed"), ("deliberation", "evaluation_item.opened"),
           ("deliberation", "decision.executed"), ("deliberation", "decision.overdue"),
           ("deliberation", "convention.published"),
           ("deliberation", "decision.escalated"), ("dispatch", "order.created"),
           ("deliberation", "vote.opened"))


EventProbe = event_probe("deliberation_probe", WATCHED,
                         "Keeps every event of deliberation (and the orders it makes) it hears.")


def events(kind: str, **match: Any) -> list[dict]:
    return payloads(EventProbe, kind, **match)


def wait_events(kind: str, n: int = 1, timeout: float = 10, **match: Any) -> list[dict]:
    assert wait_until(lambda: len(events(kind, **match)) >= n, timeout=timeout, every=0.1), (
        kind, match, EventProbe.seen[-5:])
    return events(kind, **match)


def tag() -> str:
    return uuid.uuid4().hex[:8]


def hall_body(**extra: Any) -> dict:
    return {"kind": "community", "name": f"议事厅 {tag()}", "address": "东寺社区一楼",
            "opening_hours": "0:00-24:00", "capacity": 40, "contact": "010-1234"} | extra


ON_ROSTER = {"community_committee": "party_representative",
             "mediation_committee": "mediator", "police": "police",
             "residents_representative": "residents_representative"}


def roster(platform: Any, where: str = "A", extra: int = 1) -> list[dict]:
    """The "4" (each on the community's representatives roster as a kind their party takes)
    and `extra` stakeholders, as accounts of the community."""
    parties = [*ON_ROSTER] + ["stakeholder"] * extra
    people = [{"account_id": platform.user("resident", where, f"p{i}")["id"],
               "party": party} for i, party in enumerate(parties)]
    admin = caller(platform, "community_admin", where)
    with platform.rpc() as rpc:  # adding an entry again is the same entry: cheap to repeat
        for person in people[:4]:
            rpc.deliberation.add_representative(admin, {
                "account_id": person["account_id"], "display_name": "代表",
                "kind": ON_ROSTER[person["party"]]})
    return people


def slot_start(offset_hours: int = 0) -> float:
    """A half-hour boundary a week out, plus a per-call random day so tests never share
    a hall's slot unless they mean to."""
    base = (int(time.time() / 1800) + 7 * 48) * 1800.0
    return base + offset_hours * 3600 + 1800.0 * (uuid.uuid4().int % 2000)


def caller(platform: Any, role: str, where: str = "A", name: str = "1") -> dict:
    """The caller context the gateway would build for that account."""
    user = platform.user(role, where, name)
    tenancy = platform.tenancy()
    data = {"user_id": user["id"], "role": role, "district_id": tenancy.district["id"]}
    if role == "street_admin":
        data["street_id"] = tenancy.streets[where]["id"]
    elif role not in ("district_admin", "ops"):
        data |= {"community_id": tenancy.communities[where]["id"],
                 "street_id": tenancy.streets[where]["id"]}
    return data


def listed_topic(rpc: Any, admin: dict, **extra: Any) -> dict:
    return rpc.deliberation.propose_topic(admin, {
        "title": f"楼道堆物 {tag()}", "detail": "楼道堆物占用消防通道, 议定清理方案",
        "category": "blue"} | extra)


def minutes_body(speakers: list[str], tasks: int = 2) -> dict:
    kinds = ["motion", "second", "opposition", "debate", "expert_opinion"]
    return {"steps": [{"kind": k, "speaker_id": speakers[i % len(speakers)],
                       "text": f"{k} 发言"} for i, k in enumerate(kinds)],
            "plan": {"summary": "一周内清理楼道堆物, 物业每月巡查", "leader": "王书记",
                     "department_id": "dept-property", "cooperating": ["dept-fire"],
                     "deadline_ts": time.time() + 14 * 86400,
                     "tasks": [{"category": "other", "summary": f"清理任务 {n + 1}"}
                               for n in range(tasks)]}}


def held_meeting(rpc: Any, platform: Any, where: str = "A",
                 **topic_extra: Any) -> tuple[dict, list[dict]]:
    """A scheduled meeting with its minutes recorded (state held), on a new listed topic
    (`topic_extra`: its fields, e.g. a convention's kind and text)."""
    admin = caller(platform, "community_admin", where)
    topic = listed_topic(rpc, admin, **topic_extra)
    hall = rpc.deliberation.create_hall(admin, hall_body())
    people = roster(platform, where)
    start = slot_start()
    meeting = rpc.deliberation.schedule_meeting(admin, {
        "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
        "ends_ts": start + 3600, "participants": people})
    meeting = rpc.deliberation.record_minutes(admin, meeting["id"], minutes_body(
        [p["account_id"] for p in people]))
    return meeting, people
