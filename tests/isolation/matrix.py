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
    "evaluation.figures": Route(
        "GET", "/evaluation/figures?unit=community&unit_id={community}&start=2026-11-01"
        "&end=2026-11-30", ("evaluation", "figures", ("figures",))),
    "evaluation.policy": Route("GET", "/evaluation/policy/{community}",
                               ("evaluation", "get_policy", ("community",))),
    "responders.accept": Route("POST", "/responders/{responder}/accept",
                               ("dispatch", "accept_responder", ("responder",))),
}

WORKER_ROLES = ("grid_worker", "volunteer", "operator", "department", "community_admin",
                "street_admin", "district_admin")
NON_WORKERS = {r: ROLE for r in ROLES if r not in WORKER_ROLES}

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
    # the unit's registration names no person: nobody's to accept
    "responders.accept": _only(ROLE, grid_worker=NONE, volunteer=NONE, operator=NONE),
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
    "categories.save": {r: SEES_OWN_403 for r in ("reporter", "resident", "grid_worker",
                                                  "volunteer", "operator", "department",
                                                  "merchant")} | {"ops": NONE},
}


def expected(level: str, route: str, role: str) -> Row:
    """The row for `role` on `route` at `level` ("gateway" or "rpc")."""
    if level == "rpc" and role in RPC.get(route, {}):
        return RPC[route][role]
    return GATEWAY[route][role]


def size() -> int:
    return len(ROUTES) * len(ROLES) * len(TARGETS)
