"""Demo data for a first start of the local stack, created through the services' RPC.

Each service that owns seedable data has one step in SEED_STEPS, run in that
order when the service is in the topology; later steps read what earlier ones
created from `Demo`. Dispatch adds grids and the grid worker, intake adds issues.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from deploy.errors import StackError
from services.common.errors import InvalidInput, NotFound
from services.common.topology import SERVICES, ServiceSpec

DEMO_PASSWORD = "linli-demo-2024"  # every demo login's password; the only place it is written
DISTRICT_CODE = "demo"
SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}
STREETS = {"东湖街道": ("东湖一社区", "东湖二社区"), "西山街道": ("西山一社区", "西山二社区")}
VOLUNTEERS = 20
MERCHANTS = ("邻里便利店", "社区理发室", "阳光药房")
T = TypeVar("T")


@dataclass
class Demo:
    """What the steps so far created, for the steps after them."""

    district: dict[str, Any] = field(default_factory=dict)
    streets: list[dict[str, Any]] = field(default_factory=list)
    communities: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # by username
    steps: list[str] = field(default_factory=list)  # the steps run so far


def seed_identity(rpc: Any, demo: Demo) -> None:
    """The tenancy tree and one account per role (the grid worker comes with the grids)."""
    identity = rpc.identity
    demo.district = identity.create_district(SYSTEM, {"name": "邻里示范区", "code": DISTRICT_CODE})
    for street_name, community_names in STREETS.items():
        street = identity.create_street(SYSTEM, {"district_id": demo.district["id"],
                                                 "name": street_name})
        demo.streets.append(street)
        for name in community_names:
            demo.communities.append(
                identity.create_community(SYSTEM, {"street_id": street["id"], "name": name}))
    first = demo.communities[0]
    for username, role, display_name, extra in [
        ("district_admin", "district_admin", "区管理员", {}),
        ("street_admin", "street_admin", "街道管理员", {"street_id": first["street_id"]}),
        ("community_admin", "community_admin", "社区书记", _in(first)),
        ("resident", "resident", "居民 王芳", _in(first)),
        ("operator", "operator", "社区能人 李老师", _in(first)),
        ("department", "department", "城管 张科长",
         _in(first) | {"department_id": "urban-management"}),
        ("ops", "ops", "运维", {}),
    ]:
        _user(identity, demo, username, role, display_name, extra)
    for i, shop in enumerate(MERCHANTS, start=1):
        where = _in(demo.communities[(i - 1) % len(demo.communities)])
        where |= {"merchant_id": f"merchant-{i}"}
        _user(identity, demo, f"merchant{i}", "merchant", shop, where)
    for i in range(1, VOLUNTEERS + 1):
        where = _in(demo.communities[(i - 1) % len(demo.communities)])
        _user(identity, demo, f"volunteer{i:02d}", "volunteer", f"志愿者 {i:02d}", where)


# Units and the categories they answer for (职能部门 / 共建单位).
UNITS = {"urban-management": ("城管执法队", ["illegal_construction", "garbage_collection"]),
         "police": ("社区民警", ["fire_hazard", "neighbour_dispute"]),
         "housing": ("住建所", ["lift_fault", "lift_installation", "water_pipe"]),
         "property-co": ("物业公司", ["property_service", "stairwell_lighting"])}


def seed_dispatch(rpc: Any, demo: Demo) -> None:
    """Per community: grids on three levels (1 / 2 / 4) with compounds, a grid worker on each
    level-3 grid, and the responsible units."""
    for n, community in enumerate(demo.communities, start=1):
        rpc.dispatch.register_community(SYSTEM, {"id": community["id"], **_in(community),
                                                 "district_id": demo.district["id"]})
        rows = [{"code": "L1", "name": f"{community['name']}一级网格", "level": "1",
                 "party_branch": "社区大党委"}]
        for half, label in (("E", "东"), ("W", "西")):
            rows.append({"code": f"L2{half}", "name": f"{label}片区", "level": "2",
                         "parent_code": "L1", "party_branch": f"{label}片区党支部"})
            for i in (1, 2):
                rows += [{"code": f"L3{half}{i}", "name": f"{label}{i}网格", "level": "3",
                          "parent_code": f"L2{half}", "party_branch": f"{label}{i}网格党小组"},
                         {"code": f"C{half}{i}", "name": f"{label}{i}小区", "level": "compound",
                          "parent_code": f"L3{half}{i}", "addresses": [f"{label}{i}小区"]}]
        report = rpc.dispatch.import_grids(SYSTEM, community["id"], rows, False)
        if not report["valid"]:
            raise StackError(f"demo grids rejected: {report['errors']}")
        grids = {g["code"]: g["id"] for g in rpc.dispatch.list_grids(SYSTEM, community["id"])}
        for j, code in enumerate(("L3E1", "L3E2", "L3W1", "L3W2"), start=1):
            name = "gridworker" if (n, j) == (1, 1) else f"gridworker{n}{j}"
            _user(rpc.identity, demo, name, "grid_worker", f"网格员 {n}-{j}",
                  _in(community) | {"grid_id": grids[code]})
        for department_id, (unit, categories) in UNITS.items():
            rpc.dispatch.register_responder(SYSTEM, {
                "community_id": community["id"], "kind": "department", "name": unit,
                "department_id": department_id, "categories": categories})


# Demo issues in the first community, one per channel (username, channel, issue fields).
DEMO_ISSUES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("resident", "app", {"category": "street_lighting", "description": "东1小区门口路灯一周没亮",
                         "location": {"lat": 39.9042, "lng": 116.4074, "address": "东1小区"}}),
    ("resident", "online_hall", {"category": "noise", "attributes": {"source": "square_dance"},
                                 "description": "晚上十点后广场舞音响太大",
                                 "location": {"address": "西1小区 中心广场"}}),
    ("community_admin", "hotline", {"category": "water_pipe", "attributes": {"where": "stairwell"},
                                    "description": "12345 转来：2 号楼楼道水管漏水",
                                    "contact": {"name": "刘女士", "phone": "13900001111"},
                                    "location": {"address": "东2小区 2 号楼"}}),
    ("gridworker", "grid_patrol", {"category": "fire_hazard", "description": "消防通道堆放杂物",
                                   "location": {"lat": 39.9050, "lng": 116.4080,
                                                "address": "东1小区 5 号楼"}}),
    ("community_admin", "visit", {"category": "elderly_care", "attributes": {"age": 83},
                                  "description": "独居老人希望有人每周探访",
                                  "location": {"address": "西2小区 7 号楼"}}),
    ("volunteer01", "door_knocking", {"category": "stairwell_lighting",
                                      "attributes": {"building": "3 号楼"},
                                      "description": "敲门走访发现 3 号楼楼道灯坏了",
                                      "location": {"address": "东2小区 3 号楼"}}),
)


def seed_intake(rpc: Any, demo: Demo) -> None:
    """An issue from every channel; the street light is triaged, so dispatch makes its order."""
    community = demo.communities[0]
    for username, channel, fields in DEMO_ISSUES:
        user = demo.users.get(username)
        if user is None:  # the grid worker comes with dispatch's grids
            continue
        caller = {"user_id": user["id"], "role": user["role"], "district_id": user["district_id"],
                  **{k: user[k] for k in ("street_id", "community_id", "grid_id") if user.get(k)}}
        issue = rpc.intake.submit_issue(caller, {"community_id": community["id"],
                                                 "channel": channel, **fields})
        if issue["category"] == "street_lighting":
            admin = demo.users["community_admin"]
            rpc.intake.triage_issue({"user_id": admin["id"], "role": "community_admin",
                                     "district_id": admin["district_id"],
                                     **_in(community)}, issue["id"], {})


# Per demo merchant: (title, points price, stock) of its offers.
OFFERS = {"邻里便利店": (("大米 5kg", 200, 50), ("洗衣液", 80, 100)),
          "社区理发室": (("理发一次", 60, 40), ("老人免费理发券", 20, 100)),
          "阳光药房": (("血压测量 + 咨询", 10, 200), ("口罩一盒", 30, 100))}


def seed_points(rpc: Any, demo: Demo) -> None:
    """Per community the default earning rules; each demo merchant a partner of its community
    and of the first demo community when that is on the same street, with two offers for a
    year; the demo resident 100 points and each volunteer 40 (awards at the threshold: no
    second admin needed)."""
    from datetime import UTC, datetime, timedelta

    points = rpc.points
    for community in demo.communities:
        points.ensure_rules(SYSTEM, community["id"])
    now = datetime.now(UTC)
    window = {"valid_from": now.isoformat(), "valid_until": (now + timedelta(days=365)).isoformat()}
    for i, shop in enumerate(MERCHANTS, start=1):
        home = demo.communities[(i - 1) % len(demo.communities)]
        first = demo.communities[0]
        served = [home]
        if home is not first and home["street_id"] == first["street_id"]:
            served.append(first)
        for community in served:
            points.onboard_merchant(SYSTEM, {
                "community_id": community["id"], "merchant_id": f"merchant-{i}", "name": shop,
                "modes": ["points_exchange", "public_good_for_service", "trial"]})
            for n, (title, price, stock) in enumerate(OFFERS[shop]):
                points.create_offer(_keyed(f"seed-offer-{i}-{community['id']}-{n}"), {
                    "community_id": community["id"], "merchant_id": f"merchant-{i}",
                    "title": title, "price": price, "stock": stock, **window,
                    "per_resident_limit": 5})
    earners = [("resident", 100)] + [(f"volunteer{i:02d}", 40) for i in range(1, VOLUNTEERS + 1)]
    for username, amount in earners:
        user = demo.users[username]
        _once_known(lambda user=user, username=username, amount=amount: points.make_award(
            _keyed(f"seed-award-{username}"), {
                "community_id": user["community_id"], "user_id": user["id"], "points": amount,
                "reason": "示范积分 (demo balance)"}), "user_id")


def _once_known(call: Callable[[], T], *fields: str, seconds: float = 15) -> T:
    """`call()`, retried for a few seconds while it is a 422 naming one of `fields`: a read
    model (services/common/mirror.py) that has not heard yet of what another service made a
    moment ago (identity's account for points and care, dispatch's grid for identity)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return call()
        except InvalidInput as exc:
            if not set(fields) & set(exc.fields or {}) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _keyed(key: str) -> dict[str, Any]:
    return SYSTEM | {"idempotency_key": key}


# The demo volunteers' skills, in turn (volunteer01 a plumber, volunteer02 an electrician...).
DEMO_SKILLS = (["plumbing"], ["electrical", "appliances"], ["elderly_care"], ["tutoring"],
               ["mediation"], ["first_aid", "nursing"], ["smartphone_help"], ["shopping"],
               ["childcare"], ["translation"])
DEMO_WISHES = (("换楼道灯泡", "3 号楼二层的灯泡坏了, 家里老人够不着", "electrical"),
               ("陪同看病", "周三上午去社区医院复查, 需要有人陪同", "companionship"),
               ("教用智能手机", "想学会用手机挂号和视频通话", "smartphone_help"))


def _caller(user: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": user["id"], "role": user["role"], "district_id": user["district_id"],
            **{k: user[k] for k in ("street_id", "community_id", "grid_id") if user.get(k)}}


def seed_volunteers(rpc: Any, demo: Demo) -> None:
    """The 20 demo volunteers get skills, weekly availability and a home grid; the resident
    posts a few micro-wishes; the operator opens a workshop (义修小屋)."""
    grids = {c["id"]: {g["code"]: g["id"] for g in rpc.dispatch.list_grids(SYSTEM, c["id"])}
             for c in demo.communities} if "dispatch" in demo.steps else {}
    waiting = bool(grids)
    for i in range(1, VOLUNTEERS + 1):
        user = demo.users[f"volunteer{i:02d}"]
        home = grids.get(user["community_id"], {}).get(("L3E1", "L3E2", "L3W1", "L3W2")[i % 4])
        body = {"display_name": user["display_name"], "skills": DEMO_SKILLS[(i - 1) % 10],
                "kinds": ["volunteer", "party_member"] if i % 3 == 0 else ["volunteer"],
                "languages": ["zh"] + (["en"] if i % 5 == 0 else []), "grid_id": home,
                "windows": [{"weekday": d, "start_minute": 9 * 60 if i % 2 else 14 * 60,
                             "end_minute": 12 * 60 if i % 2 else 18 * 60}
                            for d in ((i % 5, 5) if i % 2 else (i % 5, 6))],
                "consent": True, "contact": {"phone": f"+86 138 0000 00{i:02d}"}}
        if waiting:  # the volunteers service learns the grids from dispatch's events
            waiting = False
            if _saved_once_grids_known(rpc, user, body):
                continue
        try:
            rpc.volunteers.save_profile(_caller(user), body)
        except NotFound:  # that grid not known in time: this one goes without, at once
            rpc.volunteers.save_profile(_caller(user), body | {"grid_id": None})
    resident = _caller(demo.users["resident"])
    for title, detail, skill in DEMO_WISHES:
        rpc.volunteers.post_wish(resident, {"title": title, "detail": detail, "skill": skill})
    operator = _caller(demo.users["operator"])
    start = (time.time() // 3600 + 24) * 3600
    rpc.volunteers.create_activity(operator, {
        "kind": "workshop", "title": "义修小屋 · 周末义修", "workshop": "义修小屋",
        "detail": "小家电、自行车免费维修, 自带配件", "skill": "appliances", "capacity": 12,
        "starts_ts": start, "ends_ts": start + 3 * 3600})


def _saved_once_grids_known(rpc: Any, user: dict[str, Any], body: dict[str, Any]) -> bool:
    """Save the first profile naming a grid, waiting up to 15 s for the grid to be known."""
    deadline = time.monotonic() + 15
    while True:
        try:
            rpc.volunteers.save_profile(_caller(user), body)
            return True
        except NotFound:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.3)


# 三评议 of the first demo community's committee for last year (online, meeting, board).
DEMO_THREE_ROUTES = {"online": 91.0, "meeting": 88.0, "board": 84.0}


def seed_evaluation(rpc: Any, demo: Demo) -> None:
    """Per community the rating window (7 days) and the 三评议 weights (0.4 / 0.4 / 0.2),
    set by the system before evaluation may have heard of the community; the first
    community's committee evaluated for last year."""
    from datetime import UTC, datetime

    for community in demo.communities:
        rpc.evaluation.set_policy(SYSTEM, community["id"], {"window_days": 7})
        rpc.evaluation.set_three_route_weights(SYSTEM, community["id"], {
            "weights": {"online": 0.4, "meeting": 0.4, "board": 0.2}})
    rpc.evaluation.record_three_routes(SYSTEM, demo.communities[0]["id"],
                                       datetime.now(UTC).year - 1,
                                       {"scores": DEMO_THREE_ROUTES, "note": "示范数据"})


def seed_deliberation(rpc: Any, demo: Demo) -> None:
    """The first community's halls (community hall, online room) and its roster of four
    representatives, a resident's proposal with
    three supporters (two short of the list), and a listed topic with a meeting scheduled a
    week out in the hall, its "4 + N" roster made of the demo accounts."""
    first = demo.communities[0]
    admin = _caller(demo.users["community_admin"])
    hall = rpc.deliberation.create_hall(admin, {
        "kind": "community", "name": "东湖一社区议事厅", "address": "社区服务中心二楼",
        "opening_hours": "周一至周五 9:00-17:00", "capacity": 40, "contact": "社区居委会"})
    rpc.deliberation.create_hall(admin, {
        "kind": "online", "name": "网上议事厅", "capacity": 500, "contact": "社区微信群"})
    for name, kind in (("resident", "residents_representative"), ("operator", "mediator"),
                       ("department", "police"), ("community_admin", "party_representative")):
        user = demo.users[name]
        rpc.deliberation.add_representative(admin, {
            "account_id": user["id"], "display_name": user["display_name"], "kind": kind,
            "hall_id": hall["id"]})
    proposal = rpc.deliberation.propose_topic(_caller(demo.users["resident"]), {
        "title": "3 号楼加装电梯", "category": "purple",
        "detail": "3 号楼老人多, 上下楼困难, 提议协商加装电梯及费用分摊"})
    neighbours = [u for u in demo.users.values()
                  if u["role"] == "volunteer" and u.get("community_id") == first["id"]]
    for user in neighbours[:3]:
        rpc.deliberation.support_topic(_caller(user), proposal["id"])
    topic = rpc.deliberation.propose_topic(admin, {
        "title": "楼道堆物清理", "category": "blue", "urgent": True,
        "detail": "楼道堆物占用消防通道, 协商清理办法和长效管理"})
    parties = [("community_admin", "community_committee"), ("operator", "mediation_committee"),
               ("department", "police"), ("resident", "residents_representative")]
    roster = [{"account_id": demo.users[name]["id"], "party": party} for name, party in parties]
    roster += [{"account_id": u["id"], "party": "stakeholder"} for u in neighbours[3:5]]
    # a week out, on the Wednesday after, 14:30 Beijing time: inside the hall's hours
    local = 8 * 3600
    day = (time.time() + 7 * 86400 + local) // 86400 * 86400 - local
    day += ((2 - time.gmtime(day + local).tm_wday) % 7) * 86400
    start = day + 14.5 * 3600
    rpc.deliberation.schedule_meeting(admin, {
        "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
        "ends_ts": start + 5400, "participants": roster})


def seed_mediation(rpc: Any, demo: Demo) -> None:
    """The first community's 调解工作室 (a deliberation hall, when deliberation runs) and a
    walk-in neighbour dispute between the demo resident and a neighbour, which asks the
    volunteers' matching for a mediator at once."""
    admin = _caller(demo.users["community_admin"])
    if "deliberation" in demo.steps:
        rpc.deliberation.create_hall(admin, {
            "kind": "workshop", "name": "调解工作室", "address": "社区服务中心一楼",
            "opening_hours": "08:00-20:00", "capacity": 8, "contact": "人民调解委员会"})
    resident = demo.users["resident"]
    rpc.mediation.open_case(admin, {
        "kind": "neighbour", "source": "walk_in", "summary": "楼上空调外机滴水, 邻里争执",
        "parties": [{"name": resident["display_name"], "account_id": resident["id"]},
                    {"name": "楼上住户 陈先生", "address": "5 号楼 402"}]})


# The first community's 一老一小 catalogue (kind, title, provider kind, provider, eligibility,
# capacity, price in points, price in fen).
DEMO_CARE: tuple[tuple[str, str, str, str, dict, int, int, int], ...] = (
    ("meal_aid", "长者助餐", "social_org", "幸福食堂", {"min_age": 60}, 30, 0, 800),
    ("health_check", "健康体检", "government", "社区卫生服务中心", {"min_age": 60}, 20, 0, 0),
    ("after_school", "四点半课堂", "volunteer", "大学生志愿者", {"min_age": 6, "max_age": 12},
     15, 5, 0),
)


def seed_care(rpc: Any, demo: Demo) -> None:
    """The first community's services for the old and the young, a session of each today,
    the demo resident's booking of the meal aid, and an elderly person living alone with a
    weekly visit rota (the grid worker, and the first volunteer)."""
    admin = _caller(demo.users["community_admin"])
    start = time.time() + 3600
    sessions = []
    for kind, title, provider_kind, provider, rules, capacity, points, money in DEMO_CARE:
        service = rpc.care.add_service(admin, {
            "kind": kind, "title": title, "detail": f"{provider}提供的{title}服务",
            "provider_kind": provider_kind, "provider_name": provider, "eligibility": rules,
            "capacity": capacity, "price_points": points, "price_money_cents": money})
        sessions.append(rpc.care.add_session(admin, service["id"], {
            "starts_ts": start, "ends_ts": start + 2 * 3600}))
    resident = demo.users["resident"]
    rpc.care.book_session(_caller(resident), sessions[0]["id"], {"beneficiary": {
        "ref": "mother", "name": "母亲", "age": 78, "living_alone": True}})
    elder = rpc.care.register_elder(admin, {
        "name": "独居老人 周奶奶", "age": 84, "address": "东湖一小区 3 号楼 101",
        "emergency_contact": "儿子 (外地)"})
    worker = demo.users.get("gridworker")
    volunteer = demo.users.get("volunteer01")
    _once_known(lambda: rpc.care.assign_rota(admin, elder["id"], {
        "grid_worker_id": (worker or demo.users["community_admin"])["id"],
        "volunteer_ids": [volunteer["id"]] if volunteer else [], "every_days": 7}),
        "grid_worker_id", "volunteer_ids")


def seed_incubation(rpc: Any, demo: Demo) -> None:
    """Two of the first community's organisations (社会组织孵化) at different stages: a
    mutual-aid team founded by the demo resident, recruited and trained (培育: its trial
    lacks activities held), and an interest club just initiated (招募: it lacks members)."""
    admin = _caller(demo.users["community_admin"])
    resident = demo.users["resident"]
    team = rpc.incubation.register_organisation(admin, {
        "kind": "mutual_aid", "name": "邻里互助队", "purpose": "为独居老人代买、陪诊、修小家电",
        "founder_account_id": resident["id"], "founder_name": resident["display_name"]})
    rpc.incubation.complete_step(admin, team["id"], "initiate")
    volunteers = [u for name, u in sorted(demo.users.items()) if name.startswith("volunteer")]
    for n, member in enumerate([*volunteers, demo.users["operator"],
                                demo.users["community_admin"]][:3]):
        rpc.incubation.add_member(_caller(resident), team["id"], {
            "account_id": member["id"], "name": member.get("display_name") or f"队员{n + 1}"})
    rpc.incubation.complete_step(admin, team["id"], "recruit")
    rpc.incubation.submit_evidence(_caller(resident), team["id"], "training", {
        "text": "社区社工站开展的志愿服务与安全培训，2 小时"})
    rpc.incubation.complete_step(admin, team["id"], "training")
    club = rpc.incubation.register_organisation(admin, {
        "kind": "interest", "name": "夕阳红合唱团", "purpose": "每周两次合唱排练, 节日演出",
        "founder_account_id": demo.users["operator"]["id"]})
    rpc.incubation.complete_step(admin, club["id"], "initiate")


SEED_STEPS: dict[str, Callable[[Any, Demo], None]] = {
    "identity": seed_identity,
    "dispatch": seed_dispatch,
    "intake": seed_intake,
    "points": seed_points,
    "volunteers": seed_volunteers,
    "evaluation": seed_evaluation,
    "deliberation": seed_deliberation,
    "mediation": seed_mediation,
    "care": seed_care,
    "incubation": seed_incubation,
}

# The logins printed after `up`, by the service whose step creates them.
DEMO_LOGINS: dict[str, tuple[str, ...]] = {
    "identity": ("district_admin", "street_admin", "community_admin", "resident", "operator",
                 "department", "ops", "merchant1", "volunteer01"),
    "dispatch": ("gridworker",),
}


def seed(amqp_uri: str, services: Iterable[ServiceSpec] = SERVICES,
         say: Callable[[str], None] = print, env: Mapping[str, str] | None = None) -> bool:
    """Create the demo data unless the demo district exists; True if it was created now.

    Never in production (LINLI_ENV=production): the demo accounts share one published
    password. A real district starts with `python -m deploy.bootstrap`."""
    if (os.environ if env is None else env).get("LINLI_ENV") == "production":
        raise StackError("the demo seed is refused with LINLI_ENV=production: "
                         "`python -m deploy.bootstrap` creates a real district")
    with warnings.catch_warnings():  # eventlet's deprecation notice, printed on import
        warnings.simplefilter("ignore")
        from nameko.exceptions import RemoteError, RpcTimeout
        from nameko.standalone.rpc import ClusterRpcProxy
    present = {s.name for s in services}
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
            if rpc.identity.find_district(SYSTEM, DISTRICT_CODE):
                return False
            demo = Demo()
            for service, step in SEED_STEPS.items():
                if service in present:
                    say(f"seed: {service}")
                    step(rpc, demo)
                    demo.steps.append(service)
    except (RemoteError, RpcTimeout) as exc:
        raise StackError(f"seeding the demo data failed: {exc!r}. The processes are up; "
                         "`make down` stops them.") from exc
    return True


def demo_logins(services: Iterable[ServiceSpec] = SERVICES) -> list[tuple[str, str]]:
    """(username, password) of every demo account the present services' steps create."""
    names = {s.name for s in services}
    return [(user, DEMO_PASSWORD) for service, users in DEMO_LOGINS.items()
            if service in names for user in users]


def _in(community: dict[str, Any]) -> dict[str, str]:
    return {"street_id": community["street_id"], "community_id": community["id"]}


def _user(identity: Any, demo: Demo, username: str, role: str, display_name: str,
          extra: dict[str, str]) -> None:
    data = {"username": username, "password": DEMO_PASSWORD, "role": role,
            "display_name": display_name, "district_id": demo.district["id"], **extra}
    demo.users[username] = _once_known(lambda: identity.create_user(SYSTEM, data), "grid_id")
