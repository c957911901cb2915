"""The isolation matrix as data: route × role × target community → the expected answer.

Targets: `own` = community A (the caller's), `neighbour` = A2 (another community of
street A), `far` = B (a community of street B). Each target has an issue filed by its own
reporter, triaged and dispatched; a work order naming the department "police"; a unit
responder "police"; a resident's account; and the standard catalogue. Every caller sits
in A (street admins in street A; district admins and ops in the district); `reporter`
filed A's issue, `resident` is a neighbour who did not; `department` is A's "police".

An answer is "ok" (the route's success status; for a list: the target's record is in
it), "empty" (a list answered 200 without the target's record), or the refusal's status.
`GATEWAY` is what HTTP answers; `RPC` lists only where the service's own answer, called
directly with the same caller, differs (the gateway turns a wrong role away first).

Ops (运维) reads health, metrics and aggregate figures (order stats of its district) and
the public catalogue, never a resident's or an order's record.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("reporter", "resident", "grid_worker", "volunteer", "operator", "department",
         "community_admin", "street_admin", "district_admin", "merchant", "ops")
TARGETS = ("own", "neighbour", "far")
Answer = int | str
Row = tuple[Answer, Answer, Answer]

OK3: Row = ("ok", "ok", "ok")
OWN: Row = ("ok", 404, 404)
STREET: Row = ("ok", "ok", 404)
NONE: Row = (404, 404, 404)
ROLE: Row = (403, 403, 403)
EMPTY: Row = ("empty", "empty", "empty")
LIST_OWN: Row = ("ok", "empty", "empty")
LIST_STREET: Row = ("ok", "ok", "empty")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {issue} {order} {responder} {community} {user}: the target's
    rpc: tuple[str, str, tuple[str, ...]]  # service, method, argument names after the caller
    body: dict | None = None
    ok: int = 200
    lists: str | None = None  # "issue" / "order": the list must (not) hold that record
    public: bool = False  # no sign-in


def _everyone(row: Row) -> dict[str, Row]:
    return dict.fromkeys(ROLES, row)


def _only(default: Row, **rows: Row) -> dict[str, Row]:
    return _everyone(default) | rows


ADMINS = {"community_admin": OWN, "street_admin": STREET, "district_admin": OK3}
CONFLICT_OWN, CONFLICT_STREET, CONFLICT3 = (409, 404, 404), (409, 409, 404), (409, 409, 409)
ADMIN_CONFLICTS = {"community_admin": CONFLICT_OWN, "street_admin": CONFLICT_STREET,
                   "district_admin": CONFLICT3}
SEES_OWN_403 = (403, 404, 404)

ROUTES: dict[str, Route] = {
    "issue.get": Route("GET", "/issues/{issue}", ("intake", "get_issue", ("issue",))),
    "issue.timeline": Route("GET", "/issues/{issue}/timeline",
                            ("intake", "get_timeline", ("issue",))),
    "issue.duplicates": Route("GET", "/issues/{issue}/duplicates",
                              ("intake", "duplicate_candidates", ("issue",))),
    "issue.triage": Route("POST", "/issues/{issue}/triage",
                          ("intake", "triage_issue", ("issue", "body")), body={}),
    "issue.rate": Route("POST", "/issues/{issue}/rate",
                        ("evaluation", "rate_issue", ("issue", "body")),
                        body={"level": "satisfied"}),
    "issue.reveal": Route("POST", "/issues/{issue}/reveal-reporter",
                          ("intake", "reveal_reporter", ("issue", "body")),
                          body={"reason": "核实恶意举报"}),
    "issue.list": Route("GET", "/issues?community_id={community}",
                        ("intake", "list_issues", ("community",)), lists="issue"),
    "issue.submit": Route("POST", "/issues", ("intake", "submit_issue", ("body",)), ok=201,
                          body={"community_id": "{community}", "category": "street_lighting",
                                "description": "路灯不亮",
                                "location": {"lat": 39.9042, "lng": 116.4074}}),
    "order.get": Route("GET", "/orders/{order}", ("dispatch", "get_order", ("order",))),
    "order.list": Route("GET", "/orders?community_id={community}",
                        ("dispatch", "list_orders", ("community",)), lists="order"),
    "order.claim": Route("POST", "/orders/{order}/claim",
                         ("dispatch", "claim_order", ("order",))),
    "order.acknowledge": Route("POST", "/orders/{order}/acknowledge",
                               ("dispatch", "acknowledge_order", ("order",))),
    "order.report_in": Route("POST", "/orders/{order}/report-in",
                             ("dispatch", "report_in", ("order",))),
    "order.confirm": Route("POST", "/orders/{order}/confirm",
                           ("dispatch", "confirm_order", ("order",))),
    "order.stats": Route("GET", "/orders/stats?community_id={community}",
                         ("dispatch", "order_stats", ("community",))),
    "community.get": Route("GET", "/registry/communities/{community}",
                           ("identity", "get_community", ("community",))),
    "users.list": Route("GET", "/users?community_id={community}",
                        ("identity", "list_users", ("community",))),
    "grids.list": Route("GET", "/grids?community_id={community}",
                        ("dispatch", "list_grids", ("community",))),
    "grids.policy": Route("GET", "/grids/policy?community_id={community}",
                          ("dispatch", "get_policy", ("community",))),
    "responders.list": Route("GET", "/responders?community_id={community}",
                             ("dispatch", "list_responders", ("community",))),
    "responders.duty": Route("PUT", "/responders/{responder}/duty",
                             ("dispatch", "set_on_duty", ("responder", "on_duty")),
                             body={"on_duty": True}),
    "categories.list": Route("GET", "/communities/{community}/categories",
                             ("intake", "list_categories", ("community",))),
    "categories.save": Route("PUT", "/communities/{community}/categories/pigeons",
                             ("intake", "save_category", ("community", "body")),
                             body={"code": "pigeons", "name": "鸽子扰民", "name_en": "Pigeons",
                                   "group": "环境", "triage": {"route": "community",
                                                             "issue_class": "public"}}),
    "public.list": Route("GET", "/public/communities/{community}/issues",
                         ("intake", "public_issues", ("community", "query")),
                         lists="issue", public=True),
    "open311.requests": Route("GET", "/open311/v2/requests.json?jurisdiction_id={community}",
                              ("intake", "public_issues", ("community", "query")),
                              lists="issue", public=True),
    "users.get": Route("GET", "/users/{user}", ("identity", "get_user", ("user",))),
    "app_keys.list": Route("GET", "/app-keys?community_id={community}",
                           ("identity", "list_app_keys", ("community",))),
    "evaluation.figures": Route(
        "GET", "/evaluation/figures?unit=community&unit_id={community}&start=2026-11-01"
        "&end=2026-11-30", ("evaluation", "figures", ("figures",))),
    "evaluation.policy": Route("GET", "/evaluation/policy/{community}",
                               ("evaluation", "get_policy", ("community",))),
    "responders.accept": Route("POST", "/responders/{responder}/accept",
                               ("dispatch", "accept_responder", ("responder",))),
    "points.ledger": Route("GET", "/points/ledger?community_id={community}",
                           ("points", "list_ledger", ("community",))),
    "points.balance": Route("GET", "/points/balance?community_id={community}&user_id={user}",
                            ("points", "get_balance", ("community", "user"))),
    "points.verify": Route("GET", "/points/verify?community_id={community}",
                           ("points", "verify_ledger", ("community",))),
    # {redemption}: the target's resident ({user}) at the target's merchant (shop-<where>)
    "points.redemption": Route("GET", "/points/redemptions/{redemption}",
                               ("points", "get_redemption", ("redemption",))),
    "points.redemptions": Route("GET", "/points/redemptions?community_id={community}",
                                ("points", "list_redemptions", ("community",)),
                                lists="redemption"),
    # 矛盾纠纷调解: a case filed by the admin with the target's reporter as a party
    "mediation.get": Route("GET", "/mediation/cases/{case}", ("mediation", "get_case",
                                                             ("case",))),
    "mediation.list": Route("GET", "/mediation/cases?community_id={community}",
                            ("mediation", "list_cases", ("community",)), lists="case"),
    "mediation.figures": Route("GET", "/mediation/figures?unit=community&unit_id={community}",
                               ("mediation", "case_figures", ("unit", "community"))),
    # 消息: {notification} is the target's reporter's (their issue triaged); /me is the
    # caller's own inbox, whatever the target
    "notify.inbox": Route("GET", "/me/notifications", ("notify", "list_notifications",
                                                       ("query",)), lists="notification"),
    "notify.read": Route("POST", "/me/notifications/{notification}/read",
                         ("notify", "mark_read", ("notification",))),
    "notify.count": Route("GET", "/me/notifications/unread-count",
                          ("notify", "unread_count", ())),
    # 议事协商 (#13): the target's hall, roster entry, listed topic (the admin's), proposal
    # (its reporter's) and a meeting on the listed topic
    "delib.categories": Route("GET", "/deliberation/categories?community_id={community}",
                              ("deliberation", "topic_categories", ("community",))),
    "halls.list": Route("GET", "/halls?community_id={community}",
                        ("deliberation", "list_halls", ("community",)), lists="hall"),
    "hall.utilisation": Route("GET", "/halls/{hall}/utilisation",
                              ("deliberation", "hall_utilisation", ("hall",))),
    "representatives.list": Route("GET", "/representatives?community_id={community}",
                                  ("deliberation", "list_representatives", ("community",)),
                                  lists="rep"),
    "topics.list": Route("GET", "/topics?community_id={community}",
                         ("deliberation", "topic_list", ("community",)), lists="topic"),
    "topics.proposals": Route("GET", "/topics?community_id={community}&proposals=true",
                              ("deliberation", "topic_list", ("community", "yes")),
                              lists="proposal"),
    "topic.get": Route("GET", "/topics/{topic}", ("deliberation", "get_topic", ("topic",))),
    "topic.comments": Route("GET", "/topics/{topic}/comments",
                            ("deliberation", "topic_comments", ("topic",))),
    "conventions.list": Route("GET", "/conventions?community_id={community}",
                              ("deliberation", "list_conventions", ("community",))),
    "meetings.list": Route("GET", "/meetings?community_id={community}",
                           ("deliberation", "list_meetings", ("community",)), lists="meeting"),
    "meeting.get": Route("GET", "/meetings/{meeting}",
                         ("deliberation", "get_meeting", ("meeting",))),
    # a merchant's settlement statement (its confirmed redemptions) in the target community
    "points.settlement": Route("GET", "/points/settlement?merchant_id={merchant}&community_id="
                               "{community}&start=2026-01-01T00:00:00Z&end=2027-01-01T00:00:00Z",
                               ("points", "settlement", ("settlement",))),
    # 督: the decisions escalated to the target's street (street A for A and A2)
    "delib.escalations": Route("GET", "/deliberation/escalations?street_id={street}",
                               ("deliberation", "list_escalations", ("street",))),
    # 四张清单 and projects: the target's need, matched into its published project
    "lists.need": Route("GET", "/lists/need?community_id={community}",
                        ("volunteers", "list_entries", ("need_list", "community")), lists="need"),
    "projects.list": Route("GET", "/projects?community_id={community}",
                           ("volunteers", "list_projects", ("community",)), lists="project"),
    "project.get": Route("GET", "/projects/{project}",
                         ("volunteers", "get_project", ("project",))),
    # 社会组织孵化: the target's organisation, registered by its admin, founded by its reporter
    "incubation.list": Route("GET", "/incubation/organisations?community_id={community}",
                             ("incubation", "list_organisations", ("community",)),
                             lists="organisation"),
    "incubation.get": Route("GET", "/incubation/organisations/{organisation}",
                            ("incubation", "get_organisation", ("organisation",))),
    "incubation.members": Route("GET", "/incubation/organisations/{organisation}/members",
                                ("incubation", "list_members", ("organisation",))),
    "incubation.figures": Route("GET", "/incubation/figures?community_id={community}",
                                ("incubation", "incubation_figures", ("community",))),
    # 微更新: the target's published renewal, its donors and its before photo
    "renewal.pledges": Route("GET", "/projects/{renewal}/pledges",
                             ("volunteers", "project_pledges", ("renewal",))),
    "renewal.photo": Route("GET", "/projects/{renewal}/photos/{renewal_photo}",
                           ("volunteers", "project_photo", ("renewal", "renewal_photo"))),
    # the audit log of the target community: its order's entry (made by its admin)
    # (the orders' entries: the world's other admin acts would push it off the first page)
    "audit.entries": Route("GET", "/audit/entries?community_id={community}&record_type=order",
                           ("audit", "list_entries", ("body",)),
                           body={"community_id": "{community}", "record_type": "order"},
                           lists="order"),
    # 一老一小: {care_booking} is the target's reporter's booking of the target's session;
    # {elder} the target's 独居老人 with its rota (m-grid_worker-<where>, m-volunteer-<where>)
    "care.services": Route("GET", "/care/communities/{community}/services",
                           ("care", "list_services", ("community",)), lists="care_service",
                           public=True),
    "care.booking": Route("GET", "/care/bookings/{care_booking}",
                          ("care", "get_booking", ("care_booking",))),
    "care.elder": Route("GET", "/care/elders/{elder}", ("care", "get_elder", ("elder",))),
    # missed visits gone up to a street: its admins and the district's (naming it)
    "care.escalations": Route("GET", "/care/escalations?street_id={street}",
                              ("care", "list_escalations", ("street",))),
    "care.elders": Route("GET", "/care/elders?community_id={community}",
                         ("care", "list_elders", ("community",)), lists="elder"),
    # 五微: the public board of any community (figures only; identity names it)
    "board.five_micro": Route("GET", "/public/communities/{community}/five-micro",
                              ("volunteers", "board_figures", ("community",)), public=True),
}

WORKER_ROLES = ("grid_worker", "volunteer", "operator", "department", "community_admin",
                "street_admin", "district_admin")
NON_WORKERS = {r: ROLE for r in ROLES if r not in WORKER_ROLES}

DELIB_READ = _only(ROLE, **dict.fromkeys(("reporter", "resident", "grid_worker", "volunteer",
                                          "operator", "community_admin"), OWN),
                   street_admin=STREET, district_admin=OK3)

GATEWAY: dict[str, dict[str, Row]] = {
    "issue.get": _only(NONE, reporter=OWN, grid_worker=OWN, **ADMINS),
    "issue.timeline": _only(NONE, reporter=OWN, grid_worker=OWN, **ADMINS),
    "issue.duplicates": _only(ROLE, **ADMINS),
    "issue.triage": _only(ROLE, **ADMIN_CONFLICTS),
    # evaluation owns ratings: the people served, or staff of the scope on their behalf
    "issue.rate": _only(NONE, reporter=CONFLICT_OWN, **ADMIN_CONFLICTS),
    "evaluation.figures": _only(ROLE, ops=OK3, department=NONE, **ADMINS),
    "evaluation.policy": _only(ROLE, **ADMINS),
    "issue.reveal": _only(ROLE, district_admin=OK3),
    "issue.list": _only(EMPTY, reporter=LIST_OWN, grid_worker=LIST_OWN,
                        community_admin=LIST_OWN, street_admin=LIST_STREET,
                        district_admin=OK3),
    # filing: the caller's own community, through a channel of its role (app)
    "issue.submit": _only(OWN, department=SEES_OWN_403, merchant=SEES_OWN_403,
                          street_admin=(403, 403, 404), district_admin=ROLE, ops=NONE),
    "order.get": _only(NONE, department=OWN, **ADMINS) | NON_WORKERS,
    "order.list": _only(EMPTY, department=LIST_OWN, community_admin=LIST_OWN,
                        street_admin=LIST_STREET, district_admin=OK3) | NON_WORKERS,
    # not in the pool and not at these claimers' grid: nobody sees it to claim it
    "order.claim": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE),
    "order.acknowledge": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE),
    # named but not whistled: nothing to report in to
    "order.report_in": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE,
                             department=CONFLICT_OWN),
    "order.confirm": _only(ROLE, **ADMIN_CONFLICTS),
    "order.stats": _only(ROLE, ops=OK3, **ADMINS),
    "community.get": _only(OWN, street_admin=STREET, district_admin=OK3, ops=NONE),
    "users.list": _only(ROLE, **ADMINS),
    "grids.list": _only(ROLE, grid_worker=OWN, **ADMINS),
    "grids.policy": _only(ROLE, grid_worker=OWN, **ADMINS),
    "responders.list": _only(ROLE, grid_worker=OWN, **ADMINS),
    "responders.duty": _only(NONE, department=OWN, **ADMINS),
    "categories.list": _everyone(OK3),  # the catalogue is public (Open311 services.json)
    "categories.save": _only(ROLE, **ADMINS),
    "public.list": _everyone(OK3),
    "open311.requests": _everyone(OK3),
    "users.get": _only(NONE, **ADMINS),  # another's account: its community's admins only
    "app_keys.list": _only(ROLE, **ADMINS),  # Open311 app keys: the community's admins
    # the unit's registration names no person: nobody's to accept
    "responders.accept": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE),
    # a community's books: its admins and those above (read only); another's balance too
    "points.ledger": _only(ROLE, **ADMINS),
    "points.balance": _only(ROLE, **ADMINS),
    "points.verify": _only(ROLE, ops=OK3, **ADMINS),  # ops: the figures of its district
    # a redemption: its merchant (A's shop sees only A's: merchant B vs A's) and the
    # community's admins and those above; a resident sees only its own (not this one)
    "points.redemption": _only(ROLE, resident=NONE, reporter=NONE, volunteer=NONE,
                               operator=NONE, merchant=OWN, **ADMINS),
    # the list is one's own (a resident: never the target's) or a merchant's where it is a
    # partner (A's shop: A's list; A2 and B, where it is none, 404)
    "points.redemptions": _only(ROLE, resident=EMPTY, reporter=EMPTY, volunteer=EMPTY,
                                operator=EMPTY, merchant=OWN),
    # a case: its community's admin, its mediator (none yet here) and its parties (the
    # reporter); street and district admins included, nobody else sees it
    "mediation.get": _only(ROLE, reporter=OWN, resident=NONE, grid_worker=NONE,
                           volunteer=NONE, operator=NONE, community_admin=OWN),
    "mediation.list": _only(ROLE, community_admin=OWN),
    # counters of one's own unit only (a street or district admin reads its street/district)
    "mediation.figures": _only(ROLE, community_admin=OWN, street_admin=NONE,
                               district_admin=NONE, ops=NONE),
    # one's own notifications only: the reporter's inbox holds its own community's, nobody
    # else's holds any target's (a resident of B never sees A's); reading another's is 404
    "notify.inbox": _only(EMPTY, reporter=LIST_OWN),
    "notify.read": _only(NONE, reporter=OWN),
    "notify.count": _everyone(OK3),  # everyone signed in has an inbox
    # deliberation: the community's own people read its halls, lists and meetings; street
    # and district admins those of their scope; departments, merchants and ops none
    **dict.fromkeys(("delib.categories", "halls.list", "representatives.list", "topics.list",
                     "topics.proposals", "topic.get", "topic.comments", "conventions.list",
                     "meetings.list", "meeting.get"), DELIB_READ),
    "hall.utilisation": _only(ROLE, **ADMINS),  # 场地使用率: the admins over the hall
    # its merchant (shop-A names only its own) and the admins of the community's scope
    "points.settlement": _only(ROLE, merchant=OWN, **ADMINS),
    "delib.escalations": _only(ROLE, street_admin=STREET, district_admin=OK3),
    # the lists and projects are the community's own (residents: the published projects)
    **dict.fromkeys(("lists.need", "projects.list"), _only(ROLE, **dict.fromkeys((
        "reporter", "resident", "grid_worker", "volunteer", "operator", "community_admin"),
        OWN))),
    "project.get": _only(ROLE, street_admin=STREET, district_admin=OK3, **dict.fromkeys((
        "reporter", "resident", "grid_worker", "volunteer", "operator", "community_admin"),
        OWN)),
    # a renewal's donors and photos: whoever reads the project
    **dict.fromkeys(("renewal.pledges", "renewal.photo"), _only(
        ROLE, street_admin=STREET, district_admin=OK3, **dict.fromkeys((
            "reporter", "resident", "grid_worker", "volunteer", "operator", "community_admin"),
            OWN))),
    # admins only; a community admin names only its own community, a street admin reads
    # its street's (another street's community lists nothing of it)
    "audit.entries": _only(ROLE, community_admin=("ok", 403, 403), street_admin=LIST_STREET,
                           district_admin=OK3),
    "care.services": _everyone(OK3),  # the catalogue is public
    # a booking: its booker (the reporter) and the provider (here: the community admin)
    "care.booking": _only(ROLE, reporter=OWN, resident=NONE, grid_worker=NONE,
                          volunteer=NONE, operator=NONE, merchant=NONE, community_admin=OWN),
    # an elder: the community admin and the assigned visitors (A's grid worker and
    # volunteer visit A's elder only); street and district admins included, nobody else
    "care.elder": _only(ROLE, reporter=NONE, resident=NONE, grid_worker=OWN, volunteer=OWN,
                        operator=NONE, community_admin=OWN),
    "care.elders": _only(ROLE, community_admin=OWN),
    # the community's people read its organisations (street and district admins one of
    # their scope); the members' contacts are the founder's (the reporter) and the admin's
    "incubation.list": _only(ROLE, **dict.fromkeys(("reporter", "resident", "grid_worker",
                                                    "volunteer", "operator",
                                                    "community_admin"), OWN)),
    "incubation.get": _only(ROLE, street_admin=STREET, district_admin=OK3, **dict.fromkeys((
        "reporter", "resident", "grid_worker", "volunteer", "operator", "community_admin"),
        OWN)),
    "incubation.members": _only(ROLE, reporter=OWN, community_admin=OWN, **dict.fromkeys((
        "resident", "grid_worker", "volunteer", "operator"), SEES_OWN_403)),
    "incubation.figures": _only(ROLE, community_admin=OWN),
    "board.five_micro": _everyone(OK3),  # public, like 公示
    "care.escalations": _only(ROLE, street_admin=STREET, district_admin=OK3),
}

RPC: dict[str, dict[str, Row]] = {
    "issue.duplicates": {"reporter": SEES_OWN_403, "grid_worker": SEES_OWN_403,
                         **{r: NONE for r in ("resident", "volunteer", "operator",
                                              "department", "merchant", "ops")}},
    "issue.triage": {"reporter": SEES_OWN_403, "grid_worker": SEES_OWN_403,
                     **{r: NONE for r in ("resident", "volunteer", "operator",
                                          "department", "merchant", "ops")}},
    "issue.reveal": {"reporter": SEES_OWN_403, "grid_worker": SEES_OWN_403,
                     "community_admin": SEES_OWN_403, "street_admin": (403, 403, 404),
                     **{r: NONE for r in ("resident", "volunteer", "operator",
                                          "department", "merchant", "ops")}},
    "order.get": {r: NONE for r in NON_WORKERS},
    "order.list": {r: EMPTY for r in NON_WORKERS},
    "order.acknowledge": {"department": SEES_OWN_403, "community_admin": SEES_OWN_403,
                          "street_admin": (403, 403, 404), "district_admin": ROLE,
                          **{r: NONE for r in NON_WORKERS}},
    "order.report_in": {**ADMIN_CONFLICTS, **{r: NONE for r in NON_WORKERS}},
    "order.confirm": {"department": SEES_OWN_403, "grid_worker": NONE, "volunteer": NONE,
                      "operator": NONE, **{r: NONE for r in NON_WORKERS}},
    "responders.accept": _everyone(NONE),
    # points asks who may see a redemption, not the role first: anyone else's is a 404
    "points.redemption": {r: NONE for r in ("grid_worker", "department", "ops")},
    "categories.save": {r: SEES_OWN_403 for r in ("reporter", "resident", "grid_worker",
                                                  "volunteer", "operator", "department",
                                                  "merchant")} | {"ops": NONE},
    # the service answers "not in this case" as "no such case" to every role
    "mediation.get": dict.fromkeys(("department", "street_admin", "district_admin",
                                    "merchant", "ops"), NONE),
    "mediation.figures": {r: NONE for r in ROLES if r != "community_admin"},
    # volunteers answers a project's outsiders as "not there"; the street and district admins
    # the gateway lets read a project were refused by the service too (its bug: fixed)
    "project.get": dict.fromkeys(("department", "merchant", "ops"), NONE),
    **dict.fromkeys(("renewal.pledges", "renewal.photo"),
                    dict.fromkeys(("department", "merchant", "ops"), NONE)),
    # deliberation answers departments, merchants and ops as it answers a community or a
    # record they may not see (a list of A read by A's department was its bug: fixed)
    **{name: dict.fromkeys(("department", "merchant", "ops"), NONE) for name in (
        "delib.categories", "halls.list", "representatives.list", "topics.list",
        "topics.proposals", "topic.get", "topic.comments", "conventions.list",
        "meetings.list", "meeting.get")},
    # care answers "not yours" as "not there": a booking or an elder one may not see
    "care.booking": dict.fromkeys(("department", "street_admin", "district_admin", "ops"),
                                  NONE),
    "care.elder": dict.fromkeys(("department", "street_admin", "district_admin", "merchant",
                                 "ops"), NONE),
    # incubation answers those who see no organisation as "not there"; an admin above the
    # community reads it but its members' contacts are not theirs
    "incubation.get": dict.fromkeys(("department", "merchant", "ops"), NONE),
    "incubation.members": {"street_admin": (403, 403, 404), "district_admin": ROLE,
                           **dict.fromkeys(("department", "merchant", "ops"), NONE)},
}


def expected(level: str, route: str, role: str) -> Row:
    """The row for `role` on `route` at `level` ("gateway" or "rpc")."""
    if level == "rpc" and role in RPC.get(route, {}):
        return RPC[route][role]
    return GATEWAY[route][role]


def size() -> int:
    return len(ROUTES) * len(ROLES) * len(TARGETS)


# --- state-changing routes ------------------------------------------------------------------
# Each probe acts on a record of its own kind (`victim`) made in the target community: a
# probe expected to succeed gets a fresh record and a fresh caller of its role (a write
# changes state once), the refusals of a route share one record per target (a refusal
# changes nothing; should one succeed, the test fails there anyway). `{uniq}` is unique per
# probe. Victims: received / triaged / resolved issues (filed by the target's reporter, or
# by the probing reporter when it is expected to succeed), pair (a duplicate and its
# original: {issue}, {original}), order (community level, naming the department "police"),
# whistled (that order, police whistled), pool (a member's order, in the pool), claimed
# (a pool order claimed by another member, or by the prober), none (a create: {community}),
# wish (the reporter's open micro-wish: {wish}), claimed_wish (that, claimed by a member),
# activity (an admin's workshop with room for every prober: {activity}), issued (a
# redemption's code, test_matrix._issued).
# Rating moved to the evaluation service, which learns that an issue is resolved from
# intake's events: its write probes need that wait and are not here yet (the read matrix's
# issue.rate row probes its refusals).


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    rpc: tuple[str, str, tuple[str, ...]]
    victim: str
    body: dict | None = None
    ok: int = 200
    upload: str | None = None  # the text of a file field (grid import)


# A meeting's slots (a half-hour boundary in 2030) and its "4 + N" roster: the fixed four on
# every community's roster (victims.ROSTER) and a stakeholder
MEETING_STARTS = 1899999000.0
MEETING_ROSTER = [{"account_id": "rep-party", "party": "community_committee"},
                  {"account_id": "rep-mediator", "party": "mediation_committee"},
                  {"account_id": "rep-police", "party": "police"},
                  {"account_id": "rep-residents", "party": "residents_representative"},
                  {"account_id": "rep-stake", "party": "stakeholder"}]
MINUTES = {"steps": [{"kind": "motion", "speaker_id": "rep-party", "text": "提议清理"},
                     {"kind": "debate", "speaker_id": "rep-stake", "text": "同意"}],
           "plan": {"summary": "一周内清理楼道堆物", "leader": "王书记",
                    "department_id": "dept-property", "deadline_ts": 1900000000.0,
                    "tasks": [{"category": "other", "summary": "清理"}]}}

# A new level-2 grid under the community's root (code "root"): no row touches the root,
# so probes importing into one community at once do not race on the root grid's version.
GRID_ROWS = "code,name,level,parent_code\nz{uniq},新网格,2,root\n"

WRITES: dict[str, Write] = {
    "issue.triage": Write("POST", "/issues/{issue}/triage", (
        "intake", "triage_issue", ("issue", "body")), "received", body={}),
    "issue.reject": Write("POST", "/issues/{issue}/reject", (
        "intake", "reject_issue", ("issue", "body")), "received", body={"reason": "invalid"}),
    "issue.resolve": Write("POST", "/issues/{issue}/resolve", (
        "intake", "resolve_issue", ("issue", "body")), "triaged", body={"note": "已修复"}),
    "issue.merge": Write("POST", "/issues/{issue}/merge", (
        "intake", "merge_issue", ("issue", "body")), "pair", body={"original_id": "{original}"}),
    "issue.rate": Write("POST", "/issues/{issue}/rate", (
        "evaluation", "rate_issue", ("issue", "body")), "resolved",
        body={"level": "satisfied"}),
    "issue.reopen": Write("POST", "/issues/{issue}/reopen", (
        "intake", "reopen_issue", ("issue", "body")), "resolved", body={"reason": "还是不亮"}),
    "order.make": Write("POST", "/orders", ("dispatch", "make_order", ("body",)), "none",
                        body={"community_id": "{community}", "category": "road_damage",
                              "summary": "路面塌陷"}, ok=201),
    "order.claim": Write("POST", "/orders/{order}/claim", (
        "dispatch", "claim_order", ("order",)), "pool"),
    "order.acknowledge": Write("POST", "/orders/{order}/acknowledge", (
        "dispatch", "acknowledge_order", ("order",)), "claimed"),
    "order.hand_back": Write("POST", "/orders/{order}/hand-back", (
        "dispatch", "hand_back_order", ("order", "body")), "claimed", body={"reason": "人手不够"}),
    "order.whistle": Write("POST", "/orders/{order}/whistle", (
        "dispatch", "whistle_order", ("order", "body")), "order", body={"departments": ["police"]}),
    "order.report_in": Write("POST", "/orders/{order}/report-in", (
        "dispatch", "report_in", ("order",)), "whistled"),
    "order.result": Write("POST", "/orders/{order}/result", (
        "dispatch", "submit_result", ("order", "body")), "whistled",
        body={"result": "已修复", "evidence": ["photo://after"]}),
    "order.escalate": Write("POST", "/orders/{order}/escalate", (
        "dispatch", "escalate_order", ("order", "body")), "order", body={"reason": "社区解决不了"}),
    "category.create": Write("PUT", "/communities/{community}/categories/c{uniq}", (
        "intake", "save_category", ("community", "body")), "none", body={
        "code": "c{uniq}", "name": "新类别", "name_en": "New", "group": "环境",
        "triage": {"route": "community", "issue_class": "public"}}),
    "grid.import": Write("POST", "/grids/import?community_id={community}&dry_run=false", (
        "dispatch", "import_grid_file", ("community", "upload", "csv", "dry_run")), "none",
        upload=GRID_ROWS),
    "policy.set": Write("PUT", "/grids/policy?community_id={community}", (
        "dispatch", "set_policy", ("community", "body")), "none", body={"claim_cap": 4}),
    "user.create": Write("POST", "/users", ("identity", "create_user", ("body",)), "none", body={
        "username": "new_{uniq}", "password": "password-123", "role": "resident",
        "display_name": "新居民", "community_id": "{community}"}, ok=201),
    "evaluation.weights": Write("PUT", "/evaluation/policy/{community}/three-route-weights", (
        "evaluation", "set_three_route_weights", ("community", "body")), "none",
        body={"weights": {"online": 0.4, "meeting": 0.4, "board": 0.2}}),
    # 三评议: a year recorded again is overwritten (a PUT), so probes may repeat it
    "evaluation.three_routes": Write("PUT", "/evaluation/communities/{community}/three-routes/"
                                     "2025", ("evaluation", "record_three_routes", (
                                         "community", "year", "body")), "none",
                                     body={"scores": {"online": 90, "meeting": 85,
                                                      "board": 80}}),
    "responder.register": Write("POST", "/responders", (
        "dispatch", "register_responder", ("body",)), "none", body={
        "community_id": "{community}", "kind": "department", "name": "物业公司",
        "department_id": "dept-{uniq}"}, ok=201),
    # community B's admin cannot award in A; {user} is the target's resident (points knows
    # the account: identity's user.created)
    "points.award": Write("POST", "/points/awards", ("points", "make_award", ("body",)),
                          "none", body={"community_id": "{community}", "user_id": "{user}",
                                        "points": 1, "reason": "邻里互助"}, ok=201),
    # merchant B vs A's code: only the offer's merchant confirms ({code}: an issued
    # redemption of the target's resident at the target's merchant, shop-<where>)
    "points.confirm": Write("POST", "/points/redemptions/confirm", (
        "points", "confirm_redemption", ("body",)), "issued", body={"code": "{code}"}),
    # reading a code before confirming it: the same, so another merchant cannot probe codes
    "points.check": Write("POST", "/points/redemptions/check", (
        "points", "check_code", ("body",)), "issued", body={"code": "{code}"}),
    # the small-matters route (小事党群办) and the volunteers service's own writes
    "order.skill": Write("PUT", "/orders/{order}/skill", (
        "dispatch", "set_order_skill", ("order", "body")), "pool", body={"skill": "plumbing"}),
    "wish.post": Write("POST", "/wishes", ("volunteers", "post_wish", ("body",)), "none",
                       body={"community_id": "{community}", "title": "修水龙头",
                             "detail": "厨房水龙头滴水", "hours": 1.0}, ok=201),
    "wish.claim": Write("POST", "/wishes/{wish}/claim", (
        "volunteers", "claim_wish", ("wish",)), "wish"),
    "wish.fulfil": Write("POST", "/wishes/{wish}/fulfil", (
        "volunteers", "fulfil_wish", ("wish", "body")), "claimed_wish", body={}),
    "wish.release": Write("POST", "/wishes/{wish}/release", (
        "volunteers", "release_wish", ("wish",)), "claimed_wish"),
    "wish.withdraw": Write("POST", "/wishes/{wish}/withdraw", (
        "volunteers", "withdraw_wish", ("wish",)), "wish"),
    "activity.create": Write("POST", "/activities", (
        "volunteers", "create_activity", ("body",)), "none", body={
        "community_id": "{community}", "kind": "workshop", "title": "义修小屋",
        "detail": "修小家电", "capacity": 5, "starts_ts": 1900000000.0,
        "ends_ts": 1900003600.0}, ok=201),
    "activity.sign_up": Write("POST", "/activities/{activity}/sign-up", (
        "volunteers", "sign_up", ("activity",)), "activity"),
    "list.add": Write("POST", "/lists", ("volunteers", "add_list_entry", ("body",)), "none",
                      body={"community_id": "{community}", "list": "need", "title": "助餐",
                            "detail": "独居老人午餐"}, ok=201),
    "volunteers.policy": Write("PUT", "/volunteers/policy?community_id={community}", (
        "volunteers", "set_policy", ("community", "body")), "none", body={"offer_minutes": 20}),
    # 矛盾纠纷调解: filed by a grid worker or the admin; closed by its mediator or admin
    "mediation.open": Write("POST", "/mediation/cases", ("mediation", "open_case", ("body",)),
                            "none", body={"community_id": "{community}", "kind": "neighbour",
                                          "summary": "漏水纠纷",
                                          "parties": [{"name": "甲"}, {"name": "乙"}]}, ok=201),
    "mediation.close": Write("POST", "/mediation/cases/{case}/close", (
        "mediation", "close_case", ("case", "body")), "case", body={"note": "不愿调解"}),
    # account lifecycle and Open311 app keys (docs/accounts.md); {user}: the target's resident
    "user.revoke_tokens": Write("POST", "/users/{user}/revoke-tokens", (
        "identity", "revoke_tokens", ("user",)), "none"),
    "app_key.issue": Write("POST", "/app-keys", ("identity", "issue_app_key", ("body",)), "none",
                           body={"name": "app {uniq}", "community_ids": ["{community}"]}, ok=201),
    # 议事协商 (#13): halls, the roster, topics, "4 + N" meetings, review and the vote. A
    # meeting victim has a hall of its own (its slots never race another probe's)
    "hall.create": Write("POST", "/halls", ("deliberation", "create_hall", ("body",)), "none",
                         body={"community_id": "{community}", "kind": "community",
                               "name": "议事厅 {uniq}", "opening_hours": "0:00-24:00",
                               "capacity": 40}, ok=201),
    "representative.add": Write("POST", "/representatives", (
        "deliberation", "add_representative", ("body",)), "none", body={
        "community_id": "{community}", "account_id": "rep-{uniq}", "display_name": "代表",
        "kind": "mediator"}),
    "representative.remove": Write("POST", "/representatives/{rep}/remove", (
        "deliberation", "remove_representative", ("rep", "body")), "d_rep",
        body={"reason": "搬走了"}),
    # one category of the community's set (a new key per probe: no probe races another's)
    "delib.category": Write("PUT", "/deliberation/categories/c{uniq}", (
        "deliberation", "put_topic_category", ("key", "body")), "none", body={
        "community_id": "{community}", "name": "邻里互助", "theme": "楼道公约",
        "parties": ["stakeholder"]}),
    "topic.propose": Write("POST", "/topics", ("deliberation", "propose_topic", ("body",)),
                           "none", body={"community_id": "{community}", "title": "楼道堆物",
                                         "detail": "楼道堆物占用消防通道", "category": "blue"},
                           ok=201),
    "topic.support": Write("POST", "/topics/{topic}/support", (
        "deliberation", "support_topic", ("topic",)), "d_proposal"),
    "topic.pick": Write("POST", "/topics/{topic}/pick", (
        "deliberation", "pick_topic", ("topic",)), "d_proposal"),
    "topic.comment": Write("POST", "/topics/{topic}/comments", (
        "deliberation", "comment_topic", ("topic", "body")), "d_topic",
        body={"text": "同意清理"}, ok=201),
    "meeting.schedule": Write("POST", "/meetings", (
        "deliberation", "schedule_meeting", ("body",)), "d_topic", body={
        "topic_id": "{topic}", "hall_id": "{hall}", "starts_ts": MEETING_STARTS,
        "ends_ts": MEETING_STARTS + 3600, "participants": MEETING_ROSTER}, ok=201),
    "meeting.attendance": Write("POST", "/meetings/{meeting}/attendance", (
        "deliberation", "record_attendance", ("meeting", "body")), "d_meeting",
        body={"account_ids": ["rep-police"]}),
    "meeting.minutes": Write("POST", "/meetings/{meeting}/minutes", (
        "deliberation", "record_minutes", ("meeting", "body")), "d_meeting", body=MINUTES),
    "meeting.review": Write("POST", "/meetings/{meeting}/review", (
        "deliberation", "review_decision", ("meeting", "body")), "d_held",
        body={"approve": True}),
    "meeting.cancel": Write("POST", "/meetings/{meeting}/cancel", (
        "deliberation", "cancel_meeting", ("meeting", "body")), "d_meeting",
        body={"reason": "改期"}),
    "vote.open": Write("POST", "/meetings/{meeting}/vote", (
        "deliberation", "open_vote", ("meeting", "body")), "d_reviewed", body={
        "electorate": [{"household_id": "hh-1", "members": ["rep-stake"]}],
        "closes_ts": 1900000000.0}),
    # the prober (when of the target community) is on the electorate: its household votes once
    "ballot.cast": Write("POST", "/meetings/{meeting}/ballots", (
        "deliberation", "cast_ballot", ("meeting", "body")), "d_voting",
        body={"choice": "yes"}, ok=201),
    # volunteers (#12): one's place at an activity (given up), the door, profiles
    "activity.cancel": Write("POST", "/activities/{activity}/cancel", (
        "volunteers", "cancel_sign_up", ("activity",)), "signed_up"),
    "activity.check_in": Write("POST", "/activities/{activity}/check-in", (
        "volunteers", "check_in", ("activity", "body")), "door", body={"code": "{code}"}),
    "activity.check_out": Write("POST", "/activities/{activity}/check-out", (
        "volunteers", "check_out", ("activity", "body")), "door_in", body={"code": "{code}"}),
    # a certification of one's own profile (in a community where one has none: 404)
    "certification.add": Write("POST", "/volunteers/profile/certifications", (
        "volunteers", "add_certification", ("body",)), "own_profile",
        body={"skill": "plumbing", "title": "水电工证"}),
    "profile.save": Write("PUT", "/volunteers/profile", ("volunteers", "save_profile", (
        "body",)), "none", body={"community_id": "{community}", "display_name": "志愿者",
                                 "kinds": ["volunteer"], "skills": ["plumbing"]}),
    "certification.verify": Write(
        "POST", "/volunteers/{account}/certifications/{certification}/verify",
        ("volunteers", "verify_certification", ("account", "certification")), "certification"),
    # a need of the community's (admins; residents match only their own wishes)
    "match.start": Write("POST", "/matches", ("volunteers", "start_match", ("body",)),
                         "candidate",
                         body={"community_id": "{community}", "skill": "plumbing"}, ok=201),
    "match.answer": Write("POST", "/matches/{match}/answer", (
        "volunteers", "answer_offer", ("match", "body")), "match", body={"accept": False}),
    "project.start": Write("POST", "/projects", ("volunteers", "start_project", ("body",)),
                           "entries", body={"need_id": "{need}", "resource_ids": ["{resource}"],
                                            "owner_unit_id": "unit-1", "title": "助餐点",
                                            "milestones": [{"title": "选址",
                                                            "due_ts": 1900000000.0}]}, ok=201),
    "project.publish": Write("POST", "/projects/{project}/publish", (
        "volunteers", "publish_project", ("project",)), "project"),
    "project.milestone": Write("POST", "/projects/{project}/milestones/0/done", (
        "volunteers", "complete_milestone", ("project", "zero")), "published"),
    # 微更新: a resident's self-funding pledge (the admin may record one too)
    "renewal.pledge": Write("POST", "/projects/{renewal}/pledges", (
        "volunteers", "pledge_project", ("renewal", "body")), "renewal",
        body={"donor_kind": "resident", "amount_yuan": 1}, ok=201),
    # points (#10): a redemption given up, offers, partners, rules, the checker's approval
    "points.cancel": Write("POST", "/points/redemptions/{redemption}/cancel", (
        "points", "cancel_redemption", ("redemption",)), "issued"),
    "points.offer": Write("POST", "/points/offers", ("points", "create_offer", ("body",)),
                          "none", body={"community_id": "{community}", "merchant_id": "{merchant}",
                                        "title": "理发", "price": 10, "stock": 5,
                                        "valid_from": "2026-01-01T00:00:00Z",
                                        "valid_until": "2030-01-01T00:00:00Z"}, ok=201),
    "points.offer_update": Write("PATCH", "/points/offers/{offer}", (
        "points", "update_offer", ("offer", "body")), "offer", body={"description": "周一休息"}),
    # the target's own partner again (onboarding is idempotent: already true)
    "points.merchant": Write("POST", "/points/merchants", (
        "points", "onboard_merchant", ("body",)), "none", body={
        "community_id": "{community}", "merchant_id": "{merchant}", "name": "小店",
        "modes": ["points_exchange"]}, ok=201),
    # the default rule again (already true)
    "points.rule": Write("PUT", "/points/rules/vote_cast?community_id={community}", (
        "points", "set_rule", ("community", "vote_cast", "body")), "none",
        body={"points": 1, "daily_cap": 5, "weekly_cap": 20}),
    # an award above the threshold, made by another admin of the target (the maker)
    "points.approve": Write("POST", "/points/awards/{award}/approve", (
        "points", "approve_award", ("award",)), "pending_award"),
    # 一老一小: the admin's catalogue and register; a seat of the target's session
    "care.add_service": Write("POST", "/care/services", ("care", "add_service", ("body",)),
                              "none", body={"community_id": "{community}", "kind": "meal_aid",
                                            "title": "助餐 {uniq}", "detail": "午餐",
                                            "provider_kind": "social_org",
                                            "provider_name": "食堂", "capacity": 10}, ok=201),
    "care.register_elder": Write("POST", "/care/elders", ("care", "register_elder", ("body",)),
                                 "none", body={"community_id": "{community}", "name": "老人",
                                               "age": 80, "address": "1 号楼"}, ok=201),
    "care.book": Write("POST", "/care/sessions/{session}/bookings", (
        "care", "book_session", ("session", "body")), "care_session",
        body={"beneficiary": {"name": "本人", "age": 70}}, ok=201),
    # 社会组织孵化: the admin completes a step; the founder (the reporter) or admin recruits
    "incubation.complete": Write("POST", "/incubation/organisations/{organisation}/steps/"
                                 "{step}/complete", ("incubation", "complete_step", (
                                     "organisation", "step")), "organisation"),
    "incubation.add_member": Write("POST", "/incubation/organisations/{organisation}/members", (
        "incubation", "add_member", ("organisation", "body")), "organisation",
        body={"account_id": "u-{uniq}", "name": "新成员"}),
}

ADMIN_WRITE = _only(ROLE, **ADMINS)  # the admins' own writes; the gateway turns others away
CLAIMED_BY_MEMBER = _only(ROLE, grid_worker=NONE, volunteer=OWN, operator=OWN)
NOT_THEIRS = ("reporter", "resident", "merchant", "ops")  # see no order at all
COMMUNITY_MEMBERS = ("reporter", "resident", "grid_worker", "volunteer", "operator",
                     "department", "merchant")

COMMUNITY_ADMIN_OWN = _only(ROLE, community_admin=OWN)
DELIB_PEOPLE = _only(ROLE, **dict.fromkeys(("reporter", "resident", "grid_worker", "volunteer",
                                            "operator"), OWN))
VOLUNTEERS_PEOPLE = _only(ROLE, **dict.fromkeys(("reporter", "resident", "grid_worker",
                                                 "volunteer", "operator", "community_admin"),
                                                OWN))

WRITE_GATEWAY: dict[str, dict[str, Row]] = {
    "issue.triage": ADMIN_WRITE,
    # the reporter may withdraw (reason withdrawn), not reject as invalid
    "issue.reject": _only(NONE, reporter=SEES_OWN_403, grid_worker=SEES_OWN_403, **ADMINS),
    "issue.resolve": ADMIN_WRITE,
    "issue.merge": ADMIN_WRITE,
    # the reporter, or the community recording a hotline caller's answer (回访)
    # (evaluation owns ratings: someone who is neither served nor staff of the scope: 404)
    "issue.rate": _only(NONE, reporter=OWN, **ADMINS),
    # the community's staff (supervision); a resident reopens by rating (evaluation's)
    "issue.reopen": ADMIN_WRITE,
    "order.make": ADMIN_WRITE,
    # a pool order: members take it; a grid worker sees only what reached its grid
    "order.claim": CLAIMED_BY_MEMBER,
    "order.acknowledge": CLAIMED_BY_MEMBER,  # only its claimer
    "order.hand_back": CLAIMED_BY_MEMBER,
    "order.whistle": ADMIN_WRITE,
    "order.report_in": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE,
                             department=OWN),
    "order.result": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE,
                          department=OWN),
    "order.escalate": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE, **ADMINS),
    "category.create": ADMIN_WRITE,
    "grid.import": ADMIN_WRITE,
    "policy.set": ADMIN_WRITE,
    # identity answers a body naming a unit the caller may not see as it answers a made-up
    # one, 422 naming community_id (test_not_found_for_both), where the others say 404
    "user.create": _only(ROLE, community_admin=("ok", 422, 422), street_admin=("ok", "ok", 422),
                         district_admin=OK3),
    "responder.register": ADMIN_WRITE,
    "points.award": _only(ROLE, community_admin=OWN),  # the community's own admin only
    "points.confirm": _only(ROLE, merchant=OWN),  # another merchant's code: no such code
    "points.check": _only(ROLE, merchant=OWN),
    "evaluation.weights": ADMIN_WRITE,
    "evaluation.three_routes": ADMIN_WRITE,
    # only the community's own admins set the skill of its open order (小事党群办)
    "order.skill": _only(ROLE, community_admin=OWN),
    # volunteers: a write happens in the caller's own community (naming another: 404)
    "wish.post": _only(ROLE, **dict.fromkeys(
        ("reporter", "resident", "volunteer", "operator", "community_admin"), OWN)),
    "wish.claim": _only(ROLE, volunteer=OWN, operator=OWN),  # 抢单: members
    "wish.release": _only(ROLE, volunteer=OWN, operator=OWN),  # the member who holds it
    # only the resident who posted it confirms it; the gateway lets community people try
    "wish.fulfil": _only(ROLE, reporter=OWN, **dict.fromkeys(
        ("resident", "grid_worker", "volunteer", "operator", "community_admin"), NONE)),
    # the resident who posted it, or their community's admin
    "wish.withdraw": _only(ROLE, reporter=OWN, community_admin=OWN, **dict.fromkeys(
        ("resident", "grid_worker", "volunteer", "operator"), NONE)),
    "activity.create": _only(ROLE, volunteer=OWN, operator=OWN, community_admin=OWN),
    "activity.sign_up": _only(ROLE, **dict.fromkeys(
        ("reporter", "resident", "grid_worker", "volunteer", "operator", "community_admin"),
        OWN)),
    "list.add": _only(ROLE, community_admin=OWN),  # 四张清单: the community's admins
    "volunteers.policy": _only(ROLE, community_admin=OWN),  # the offer window, order hours
    "mediation.open": _only(ROLE, grid_worker=OWN, community_admin=OWN),
    # the reporter is a party of the case (403 in its own: a party does not close it)
    "mediation.close": _only(ROLE, reporter=SEES_OWN_403, resident=NONE, grid_worker=NONE,
                             volunteer=NONE, operator=NONE, community_admin=OWN),
    "user.revoke_tokens": ADMIN_WRITE,  # who may create the account may revoke it
    "app_key.issue": ADMIN_WRITE,
    # deliberation: the community's admin runs halls, roster, meetings, review and the vote
    **dict.fromkeys(("hall.create", "delib.category", "representative.add", "representative.remove",
                     "topic.pick", "meeting.schedule", "meeting.attendance", "meeting.minutes",
                     "meeting.review", "meeting.cancel", "vote.open"), COMMUNITY_ADMIN_OWN),
    "topic.propose": DELIB_PEOPLE | {"community_admin": OWN},
    "topic.support": DELIB_PEOPLE,  # residents and members, not the admin
    "topic.comment": DELIB_PEOPLE | {"community_admin": OWN},
    "ballot.cast": DELIB_PEOPLE | {"community_admin": OWN},  # on the electorate
    # volunteers: one's own place; the door is the organiser's or the community admin's
    "activity.cancel": VOLUNTEERS_PEOPLE,
    "activity.check_in": _only(ROLE, volunteer=NONE, operator=NONE, community_admin=OWN),
    "activity.check_out": _only(ROLE, volunteer=NONE, operator=NONE, community_admin=OWN),
    "profile.save": VOLUNTEERS_PEOPLE,
    "certification.verify": COMMUNITY_ADMIN_OWN,
    "certification.add": VOLUNTEERS_PEOPLE,
    "match.start": _only(ROLE, community_admin=OWN, street_admin=STREET, district_admin=OK3,
                         **dict.fromkeys(("reporter", "resident", "volunteer", "operator"),
                                         SEES_OWN_403)),
    "match.answer": _only(ROLE, reporter=NONE, resident=NONE, volunteer=NONE, operator=NONE),
    "project.start": COMMUNITY_ADMIN_OWN,
    "project.publish": COMMUNITY_ADMIN_OWN,
    "project.milestone": COMMUNITY_ADMIN_OWN,
    # the community's residents pledge for themselves, its admin records pledges
    "renewal.pledge": _only(ROLE, **dict.fromkeys(
        ("reporter", "resident", "grid_worker", "volunteer", "operator", "community_admin"),
        OWN)),
    # points: nobody probing holds the target resident's redemption
    "points.cancel": _only(ROLE, reporter=NONE, resident=NONE, volunteer=NONE, operator=NONE),
    "points.offer": _only(ROLE, merchant=OWN, community_admin=OWN),
    "points.offer_update": _only(ROLE, merchant=OWN, community_admin=OWN),
    "points.merchant": COMMUNITY_ADMIN_OWN,
    "points.rule": COMMUNITY_ADMIN_OWN,
    "points.approve": COMMUNITY_ADMIN_OWN,  # the checker: another admin of the community
    "care.add_service": _only(ROLE, community_admin=OWN),
    "care.register_elder": _only(ROLE, community_admin=OWN),
    "care.book": _only(ROLE, **dict.fromkeys(
        ("reporter", "resident", "grid_worker", "volunteer", "operator", "community_admin"),
        OWN)),
    "incubation.complete": _only(ROLE, community_admin=OWN),
    "incubation.add_member": _only(ROLE, reporter=OWN, community_admin=OWN, **dict.fromkeys((
        "resident", "grid_worker", "volunteer", "operator"), SEES_OWN_403)),
}

_SEES_ISSUE = {"reporter": SEES_OWN_403, "grid_worker": SEES_OWN_403,
               **{r: NONE for r in ("resident", "volunteer", "operator", "department",
                                    "merchant", "ops")}}
_HOLDER_ONLY = {"department": SEES_OWN_403, "community_admin": SEES_OWN_403,
                "street_admin": (403, 403, 404), **{r: NONE for r in NOT_THEIRS}}
# incubation: an organisation one may not see is not there; one seen but not run: refused
_INCUBATION_STAFF_ABOVE = {"street_admin": (403, 403, 404), "district_admin": ROLE,
                           **dict.fromkeys(("department", "merchant", "ops"), NONE)}
WRITE_RPC: dict[str, dict[str, Row]] = {
    "issue.triage": _SEES_ISSUE,
    "issue.resolve": _SEES_ISSUE,
    "issue.merge": _SEES_ISSUE,
    "issue.reopen": _SEES_ISSUE,
    "order.acknowledge": _HOLDER_ONLY,
    "order.hand_back": _HOLDER_ONLY,
    "order.report_in": {**ADMIN_CONFLICTS, **{r: NONE for r in NOT_THEIRS}},
    "order.result": {"community_admin": SEES_OWN_403, "street_admin": (403, 403, 404),
                     **{r: NONE for r in NOT_THEIRS}},
    "order.escalate": {"department": SEES_OWN_403, **{r: NONE for r in NOT_THEIRS}},
    "category.create": {r: SEES_OWN_403 for r in COMMUNITY_MEMBERS} | {"ops": NONE},
    "user.create": {r: (403, 422, 422) for r in COMMUNITY_MEMBERS} | {"ops": (422, 422, 422)},
    # the service answers "not yours" as "not there" to every role it does not serve
    "wish.fulfil": dict.fromkeys(("department", "street_admin", "district_admin", "merchant",
                                  "ops"), NONE),
    "wish.withdraw": dict.fromkeys(("department", "street_admin", "district_admin",
                                    "merchant", "ops"), NONE),
    "mediation.close": dict.fromkeys(("department", "street_admin", "district_admin",
                                      "merchant", "ops"), NONE),
    # identity reads the account first: one it may not see is not there
    "user.revoke_tokens": {r: NONE for r in (*COMMUNITY_MEMBERS, "ops")},
    # one's own place only: whoever holds none here is told it is not there
    "activity.cancel": dict.fromkeys(("department", "street_admin", "district_admin",
                                      "merchant", "ops"), NONE),
    # the door is the activity's organiser's or its community admin's; others: not there
    **dict.fromkeys(("activity.check_in", "activity.check_out"), dict.fromkeys((
        "reporter", "resident", "grid_worker", "department", "street_admin", "district_admin",
        "merchant", "ops"), NONE)),
    # a need in its own community: the role is refused there, another community not found
    "match.start": dict.fromkeys(("grid_worker", "department", "merchant"), SEES_OWN_403),
    # one's own profile: whoever may write none has none to add to
    "certification.add": dict.fromkeys(("department", "street_admin", "district_admin",
                                        "merchant", "ops"), NONE),
    # a project is its community admin's to run: to anyone else it is not there
    **dict.fromkeys(("project.publish", "project.milestone"),
                    {r: NONE for r in ROLES if r != "community_admin"}),
    "incubation.add_member": _INCUBATION_STAFF_ABOVE,
    "incubation.complete": {**_INCUBATION_STAFF_ABOVE, **dict.fromkeys((
        "reporter", "resident", "grid_worker", "volunteer", "operator"), SEES_OWN_403)},
}


def expected_write(level: str, route: str, role: str) -> Row | None:
    """The row for `role` on the write `route` at `level`; None: not decided (discovery)."""
    if level == "rpc" and role in WRITE_RPC.get(route, {}):
        return WRITE_RPC[route][role]
    return WRITE_GATEWAY.get(route, {}).get(role)


def write_size() -> int:
    return len(WRITES) * len(ROLES) * len(TARGETS)
