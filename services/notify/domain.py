"""Pure rules of the inbox: who is in which audience, read markers and the unread count,
the retry back-off, the texts. No I/O; the clock is passed in."""

from __future__ import annotations

import hashlib
from typing import Any

from services.common.caller import Caller, Role
from services.common.contracts.notify import NotificationKind

K = NotificationKind
RESIDENT_ROLES = frozenset({Role.resident, Role.volunteer, Role.operator})
LEVEL_NAMES = {"community": "社区", "street": "街道", "district": "区"}
MAX_READ_IDS = 200  # ids read one by one above the watermark; the oldest fold into it
AUDIENCE_NAMES = {"u": "personal", "r": "community", "dep": "unit", "g": "grid",
                  "st": "street", "di": "district"}


def personal(user_id: str) -> str:
    return f"u:{user_id}"


def residents(community_id: str) -> str:
    return f"r:{community_id}"


def unit(community_id: str, department_id: str) -> str:
    return f"dep:{community_id}:{department_id}"


def grid(community_id: str, grid_id: str) -> str:
    return f"g:{community_id}:{grid_id}"


def street(district_id: str, street_id: str) -> str:
    """A street's admins (what went up to the street: a missed visit, for one)."""
    return f"st:{district_id}:{street_id}"


def district(district_id: str) -> str:
    return f"di:{district_id}"


def level_audience(level: str, district_id: str | None, street_id: str | None) -> str | None:
    """The staff inbox of a ladder level above the community, if the event names it."""
    if level == "street" and district_id and street_id:
        return street(district_id, street_id)
    if level == "district" and district_id:
        return district(district_id)
    return None


def audiences_of(who: Caller) -> list[str]:
    """The inboxes a caller reads: their own, and their community's, unit's or grid's, or
    their street's or district's (its admins)."""
    mine = [personal(who.user_id)]
    if who.role is Role.street_admin and who.street_id:
        mine.append(street(who.district_id, who.street_id))
    if who.role is Role.district_admin and who.district_id:
        mine.append(district(who.district_id))
    if who.community_id:
        if who.role in RESIDENT_ROLES:
            mine.append(residents(who.community_id))
        if who.role is Role.department and who.department_id:
            mine.append(unit(who.community_id, who.department_id))
        if who.role is Role.grid_worker and who.grid_id:
            mine.append(grid(who.community_id, who.grid_id))
    return mine


def audience_name(audience: str) -> str:
    return AUDIENCE_NAMES[audience.split(":", 1)[0]]


def target_audience(community_id: str, target: str) -> str:
    """A whistle's target ("department:<id>" / "member:<user>") as an audience."""
    kind, _, ident = target.partition(":")
    return unit(community_id, ident) if kind == "department" else personal(ident)


def notification_id(source: str, audience: str) -> str:
    """One notification per source event and audience: a redelivery finds it by `_id`."""
    return "n-" + hashlib.sha1(f"{source}|{audience}".encode()).hexdigest()[:24]


# --- read markers ------------------------------------------------------------------------

def mark_of(marks: dict[str, Any], audience: str) -> dict[str, Any]:
    found = marks.get(audience.replace(".", "_")) or {}
    return {"base": int(found.get("base", 0)), "seen_ts": float(found.get("seen_ts", 0.0)),
            "read": list(found.get("read", []))}


def is_read(mark: dict[str, Any], notification_id: str, created_ts: float) -> bool:
    return created_ts <= mark["seen_ts"] or notification_id in mark["read"]


def read_one(marks: dict[str, Any], audience: str, notification_id: str,
             created_ts: float) -> dict[str, Any] | None:
    """The markers with one more notification read; None if it already was."""
    mark = mark_of(marks, audience)
    if is_read(mark, notification_id, created_ts):
        return None
    mark["read"] = [*mark["read"], notification_id]
    return {**marks, audience.replace(".", "_"): mark}


def fold_read(mark: dict[str, Any], ascending: list[tuple[str, float]]) -> dict[str, Any]:
    """Advance the watermark over the oldest notifications above it (`ascending`: their ids
    and times, oldest first) while each was read one by one: same unread count, fewer ids."""
    mark = dict(mark, read=list(mark["read"]))
    for nid, ts in ascending:
        if nid not in mark["read"]:
            break
        mark["read"].remove(nid)
        mark["base"] += 1
        mark["seen_ts"] = max(mark["seen_ts"], ts)
    return mark


def read_all(marks: dict[str, Any], totals: dict[str, int], now: float) -> dict[str, Any]:
    """Everything of these audiences up to now is read: the watermark at `now`, the base at
    each audience's total as counted now."""
    moved = {a.replace(".", "_"): {"base": totals.get(a, 0), "seen_ts": now, "read": []}
             for a in totals}
    return {**marks, **moved}


def unread(marks: dict[str, Any], totals: dict[str, int]) -> int:
    """Notifications of the audiences not read: total − what the watermark covered − read
    one by one (never below 0: a notification inserted within the instant of a read-all)."""
    count = 0
    for audience, total in totals.items():
        mark = mark_of(marks, audience)
        count += max(0, total - mark["base"] - len(mark["read"]))
    return count


# --- deliveries ----------------------------------------------------------------------------

def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` failed ones: base, 2·base, 4·base…"""
    return min(cap, base * 2 ** max(0, attempts - 1))


# --- texts (zh, what a phone shows) -------------------------------------------------------

ISSUE_STATES = {"triaged": "已受理分拨", "dispatched": "已派单处置", "in_progress": "正在办理",
                "resolved": "已办结，请评价", "closed": "已关闭", "rejected": "未予受理",
                "merged": "已并入同类诉求", "reopened": "已重新办理"}


def issue_text(state: str, note: str) -> tuple[str, str]:
    return f"您反映的诉求{ISSUE_STATES.get(state, '状态更新：' + state)}", note[:200]


# the default incubation process's stages (a community's own process may name others)
STAGE_NAMES = {"sprout": "萌芽", "nurture": "培育", "growth": "成长", "autonomy": "自治"}


def text(kind: NotificationKind, **facts: Any) -> tuple[str, str]:
    if kind is K.order_assigned:
        return "新工单待处置", str(facts.get("summary") or "")[:200]
    if kind is K.whistled:
        return "吹哨报到：请按时报到", f"报到截止 {facts['due']}"
    if kind is K.report_in_due:
        return "报到时限将至", f"报到截止 {facts['due']}"
    if kind is K.report_in_missed:
        return "未按时报到，已上报", f"已上报至{facts['level']}"
    if kind is K.redemption_confirmed:
        return "积分兑换已确认", f"使用 {facts['price']} 积分"
    if kind is K.vote_opened:
        return ("社区选举开始投票" if facts.get("election") else "社区决议开始投票",
                f"投票截止 {facts['due']}")
    if kind is K.visit_missed:
        return (f"独居老人走访逾期，已上报{LEVEL_NAMES.get(facts.get('level'), '社区')}",
                f"第 {facts['cycle']} 次走访应于 {facts['due']} 完成")
    if kind is K.visit_escalated:
        return (f"独居老人走访仍未完成，已上报{LEVEL_NAMES.get(facts['level'], '')}",
                f"第 {facts['cycle']} 次走访自 {facts['since']} 起逾期")
    if kind is K.organisation_stage:
        stage = STAGE_NAMES.get(facts["stage"], facts["stage"])
        return f"您发起的组织进入{stage}阶段", "孵化进程：请查看下一步的要求"
    if kind is K.organisation_graduated:
        return "您的组织已出壳，独立运营", "孵化完成：感谢每一位成员"
    raise ValueError(f"no text for {kind}")
