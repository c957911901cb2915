"""The records the write matrix acts on (matrix.WRITES' `victim` kinds), made in a target
community over RPC by its own reporter and admin; and fresh callers for the probes expected
to succeed (a member's claim cap, a reporter's own issue)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from services.common.errors import NotFound

SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}
HERE = {"lat": 39.9042, "lng": 116.4074}


def _issue(rpc: Any, reporter: dict, community_id: str) -> str:
    return rpc.intake.submit_issue(reporter, {
        "community_id": community_id, "category": "street_lighting",
        "description": "路灯不亮", "location": HERE})["id"]


def _order(rpc: Any, admin: dict, community_id: str, **extra: Any) -> str:
    return rpc.dispatch.make_order(admin, {
        "community_id": community_id, "category": "road_damage", "summary": "路面塌陷",
        "department_id": "police", **extra})["id"]


def _window_open(rpc: Any, issue: str) -> bool:
    try:
        return rpc.evaluation.rating_window(SYSTEM, issue)["open"]
    except NotFound:  # evaluation has not heard of the issue yet (its events are on the way)
        return False


def make(rpc: Any, kind: str, community_id: str, admin: dict, reporter: dict,
         member: dict, prober: dict | None = None) -> dict[str, str]:
    """A fresh `kind` record in the community: the ids a route's path and body name.

    `reporter` files the issues; `member` claims the claimed orders; `prober` (when of this
    community) is the one who votes, or holds the place it gives up."""
    if kind == "none":
        return {}
    if kind.startswith("d_"):
        return _deliberation(rpc, kind, admin, reporter, prober)
    if kind == "renewal":
        return renewal_of(rpc, admin)
    if kind in VOLUNTEER_KINDS:
        return _volunteers(rpc, kind, community_id, admin, reporter, member, prober)
    if kind in ("received", "triaged", "resolved"):
        issue = _issue(rpc, reporter, community_id)
        if kind != "received":  # a matter for the residents: no work order made meanwhile
            rpc.intake.triage_issue(admin, issue, {"route": "residents",
                                                   "reason": "居民自行协商解决"})
        if kind == "resolved":
            rpc.intake.resolve_issue(admin, issue, {"note": "已修复"})
            # ratings are evaluation's: it must have heard the issue is resolved
            settle(lambda: _window_open(rpc, issue))
        return {"issue": issue}
    if kind == "pair":
        return {"original": _issue(rpc, reporter, community_id),
                "issue": _issue(rpc, reporter, community_id)}
    if kind in ("order", "whistled"):
        order = _order(rpc, admin, community_id)
        if kind == "whistled":
            rpc.dispatch.whistle_order(admin, order, {"departments": ["police"]})
        return {"order": order}
    if kind in ("pool", "claimed"):
        order = _order(rpc, admin, community_id, route="party_volunteer")
        if kind == "claimed":
            rpc.dispatch.claim_order(member, order)
        return {"order": order}
    if kind in ("wish", "claimed_wish"):  # the reporter's micro-wish (微心愿)
        wish = rpc.volunteers.post_wish(reporter, {
            "community_id": community_id, "title": "修水龙头", "detail": "厨房水龙头滴水",
            "hours": 1.0})["id"]
        if kind == "claimed_wish":
            rpc.volunteers.claim_wish(member, wish)
        return {"wish": wish}
    if kind == "activity":
        return {"activity": rpc.volunteers.create_activity(admin, {
            "community_id": community_id, "kind": "workshop", "title": "义修小屋",
            "detail": "修小家电", "capacity": 500, "starts_ts": 1900000000.0,
            "ends_ts": 1900003600.0})["id"]}
    if kind == "care_session":  # an admin's 一老一小 service with a session open now
        return {"session": care_session_of(rpc, admin)}
    if kind == "case":  # a mediation case with the reporter as its first party
        return {"case": case_of(rpc, admin, community_id, reporter["user_id"])}
    if kind == "organisation":  # registered by the admin, founded by the reporter
        return {"organisation": organisation_of(rpc, admin, reporter["user_id"]),
                "step": "initiate"}
    raise ValueError(f"no victim kind {kind!r}")


def organisation_of(rpc: Any, admin: dict, founder: str) -> str:
    return rpc.incubation.register_organisation(admin, {
        "kind": "mutual_aid", "name": "邻里互助队", "purpose": "帮独居老人买菜",
        "founder_account_id": founder})["id"]


def case_of(rpc: Any, admin: dict, community_id: str, party_account: str) -> str:
    return rpc.mediation.open_case(admin, {
        "community_id": community_id, "kind": "neighbour", "summary": "楼上漏水",
        "parties": [{"name": "甲", "account_id": party_account}, {"name": "乙"}]})["id"]


def care_session_of(rpc: Any, admin: dict, capacity: int = 500) -> str:
    service = rpc.care.add_service(admin, {
        "kind": "meal_aid", "title": "长者助餐", "detail": "午餐", "capacity": capacity,
        "provider_kind": "social_org", "provider_name": "幸福食堂"})
    now = time.time()
    return rpc.care.add_session(admin, service["id"], {"starts_ts": now - 60,
                                                       "ends_ts": now + 3600})["id"]


def care_records(rpc: Any, admin: dict, reporter: dict, where: str) -> dict[str, str]:
    """The target's service, its reporter's booking and an elder with a rota whose visitors
    are the target's grid worker and volunteer (m-<role>-<where>)."""
    session = care_session_of(rpc, admin)
    booking = rpc.care.book_session(reporter, session, {"beneficiary": {"name": "母亲",
                                                                        "age": 80}})
    elder = rpc.care.register_elder(admin, {"name": "独居老人", "age": 85,
                                            "address": "3 号楼 101"})
    rpc.care.assign_rota(admin, elder["id"], {"grid_worker_id": f"m-grid_worker-{where}",
                                              "volunteer_ids": [f"m-volunteer-{where}"],
                                              "every_days": 7})
    return {"care_service": booking["service_id"], "care_booking": booking["id"],
            "elder": elder["id"]}


def fresh(who: dict) -> dict:
    """Another account of the same role and place (its own claims, its own reports)."""
    return dict(who, user_id=f"{who['user_id']}-{uuid.uuid4().hex[:6]}")


def uniq() -> str:
    return uuid.uuid4().hex[:10]


def settle(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "did not settle"
        time.sleep(0.05)


# --- deliberation (议事协商) -------------------------------------------------------------

# The fixed "4" on every target community's roster (matrix.MEETING_ROSTER seats them)
ROSTER = {"rep-party": "party_representative", "rep-mediator": "mediator",
          "rep-police": "police", "rep-residents": "residents_representative"}


def roster(rpc: Any, admin: dict) -> str:
    """The community's fixed four on its roster (again: the same entries); one entry's id."""
    made = [rpc.deliberation.add_representative(admin, {
        "account_id": account, "display_name": "代表", "kind": kind})["id"]
        for account, kind in ROSTER.items()]
    return made[-1]


def _hall(rpc: Any, admin: dict) -> str:
    return rpc.deliberation.create_hall(admin, {
        "kind": "community", "name": f"议事厅 {uniq()}", "opening_hours": "0:00-24:00",
        "capacity": 40})["id"]


def _topic(rpc: Any, who: dict) -> str:
    return rpc.deliberation.propose_topic(who, {
        "title": f"楼道堆物 {uniq()}", "detail": "楼道堆物占用消防通道, 议定清理方案",
        "category": "blue"})["id"]


def _deliberation(rpc: Any, kind: str, admin: dict, reporter: dict,
                  prober: dict | None) -> dict[str, str]:
    from tests.isolation.matrix import MEETING_ROSTER, MEETING_STARTS, MINUTES

    if kind == "d_rep":
        return {"rep": rpc.deliberation.add_representative(admin, {
            "account_id": f"rep-{uniq()}", "display_name": "代表", "kind": "mediator"})["id"]}
    if kind == "d_proposal":  # the reporter's proposal, gathering supporters
        return {"topic": _topic(rpc, reporter)}
    topic, hall = _topic(rpc, admin), _hall(rpc, admin)  # an admin's topic is listed at once
    if kind == "d_topic":
        return {"topic": topic, "hall": hall}
    meeting = rpc.deliberation.schedule_meeting(admin, {
        "topic_id": topic, "hall_id": hall, "starts_ts": MEETING_STARTS,
        "ends_ts": MEETING_STARTS + 3600, "participants": MEETING_ROSTER})["id"]
    if kind != "d_meeting":
        rpc.deliberation.record_minutes(admin, meeting, MINUTES)
    if kind in ("d_reviewed", "d_voting"):
        rpc.deliberation.review_decision(admin, meeting, {"approve": True})
    if kind == "d_voting":
        electorate = [{"household_id": "hh-1", "members": ["rep-stake"]}]
        if prober is not None and prober.get("community_id") == admin["community_id"]:
            electorate.append({"household_id": "hh-prober", "members": [prober["user_id"]]})
        rpc.deliberation.open_vote(admin, meeting, {"electorate": electorate,
                                                    "closes_ts": 1900000000.0})
    return {"meeting": meeting}


def deliberation_of(rpc: Any, admin: dict, reporter: dict) -> dict[str, str]:
    """What the read matrix finds in a target community: its roster entry, a hall, a listed
    topic, its reporter's proposal and a meeting on the listed topic."""
    rep = roster(rpc, admin)
    made = _deliberation(rpc, "d_meeting", admin, reporter, None)
    meeting = rpc.deliberation.get_meeting(admin, made["meeting"])
    return {"rep": rep, "meeting": made["meeting"], "hall": meeting["hall_id"],
            "topic": meeting["topic_id"], "proposal": _topic(rpc, reporter)}


# --- volunteers (activities' doors, certifications, matches, projects) -----------------

VOLUNTEER_KINDS = ("signed_up", "door", "door_in", "own_profile", "certification",
                   "candidate", "match",
                   "entries", "project", "published")


def _volunteers(rpc: Any, kind: str, community_id: str, admin: dict, reporter: dict,
                member: dict, prober: dict | None) -> dict[str, str]:
    v = rpc.volunteers
    if kind in ("signed_up", "door", "door_in"):
        activity = v.create_activity(admin, {
            "community_id": community_id, "kind": "workshop", "title": "义修小屋",
            "detail": "修小家电", "capacity": 500, "starts_ts": 1900000000.0,
            "ends_ts": 1900003600.0})["id"]
        if kind == "signed_up":  # the prober's own place, when it may hold one here
            if prober is not None and prober.get("community_id") == community_id and \
                    prober["role"] in ("resident", "volunteer", "operator", "grid_worker",
                                       "community_admin"):
                v.sign_up(prober, activity)
            return {"activity": activity}
        code = v.sign_up(reporter, activity)["my_code"]
        if kind == "door_in":
            v.check_in(admin, activity, {"code": code})
        return {"activity": activity, "code": code}
    if kind == "own_profile":  # the prober's own profile, when it may write one here
        if prober is not None and prober.get("community_id") == community_id and \
                prober["role"] in ("resident", "volunteer", "operator", "grid_worker",
                                   "community_admin"):
            v.save_profile(prober, {"display_name": "志愿者", "kinds": ["volunteer"],
                                    "skills": ["plumbing"]})
        return {}
    if kind == "certification":  # a member's certification, pending the admin's check
        v.save_profile(member, {"display_name": "志愿者", "kinds": ["volunteer"],
                                "skills": ["plumbing"]})
        profile = v.add_certification(member, {"skill": "plumbing", "title": "水电工证"})
        return {"account": member["user_id"],
                "certification": profile["certifications"][-1]["id"]}
    if kind == "candidate":  # a consenting member: matching knows the community's street
        v.save_profile(member, {"display_name": "志愿者", "kinds": ["volunteer"],
                                "skills": ["plumbing"], "consent": True})
        return {}
    if kind == "match":
        return {"match": v.start_match(admin, {"community_id": community_id,
                                               "skill": "plumbing"})["id"]}
    need = v.add_list_entry(admin, {"community_id": community_id, "list": "need",
                                    "title": "助餐", "detail": "独居老人午餐"})["id"]
    resource = v.add_list_entry(admin, {"community_id": community_id, "list": "resource",
                                        "title": "食堂", "detail": "社区食堂可供午餐",
                                        "resource_kind": "space"})["id"]
    if kind == "entries":
        return {"need": need, "resource": resource}
    project = v.start_project(admin, {
        "need_id": need, "resource_ids": [resource], "owner_unit_id": "unit-1",
        "title": "助餐点", "milestones": [{"title": "选址", "due_ts": 1900000000.0}]})["id"]
    if kind == "published":  # 公示: its milestones may be done
        v.publish_project(admin, project)
    return {"project": project, "need": need}


# --- 微更新: a renewal voted in deliberation, a project in volunteers -----------------------

def _png() -> str:
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def renewal_of(rpc: Any, admin: dict, photo: bool = False) -> dict[str, str]:
    """A renewal topic approved at review (no vote), its project made by volunteers from
    `decision.approved`, published (公示: residents see it and pledge); with `photo`, a
    before photo of it."""
    from tests.isolation.matrix import MEETING_ROSTER, MEETING_STARTS, MINUTES

    topic = rpc.deliberation.propose_topic(admin, {
        "title": f"花园微更新 {uniq()}", "detail": "小花园改造", "category": "purple",
        "kind": "renewal", "renewal": {"place": "中心花园", "budget_yuan": 1000}})["id"]
    meeting = rpc.deliberation.schedule_meeting(admin, {
        "topic_id": topic, "hall_id": _hall(rpc, admin), "starts_ts": MEETING_STARTS,
        "ends_ts": MEETING_STARTS + 3600, "participants": MEETING_ROSTER})["id"]
    rpc.deliberation.record_minutes(admin, meeting, MINUTES)
    rpc.deliberation.review_decision(admin, meeting, {"approve": True, "vote_required": False})
    project = f"pj-r-d-{meeting}"

    def made() -> bool:
        try:
            return bool(rpc.volunteers.get_project(admin, project))
        except NotFound:
            return False

    settle(made)
    rpc.volunteers.publish_project(admin, project)
    out = {"renewal": project}
    if photo:
        shown = rpc.volunteers.add_project_photo(admin, project, "before", _png())
        out["renewal_photo"] = shown["photos_before"][0].rsplit("/", 1)[-1]
    return out
