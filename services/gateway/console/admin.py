"""The community admin's triage queue; the three-rates dashboard for admins (community,
street, district) with its charts, rankings, drill-down, overdue and escalated orders and
early warnings; the operations page (process health, metrics links, outbox backlog, ledger
verification)."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import Request, Response

from services.common.caller import Role
from services.common.contracts.evaluation import ChartKind, RateName, UnitKind
from services.common.contracts.intake import MergeIn, TriageIn
from services.common.contracts.workflow import Level
from services.common.errors import DomainError, InvalidInput
from services.common.topology import SERVICES
from services.gateway.console.core import (
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
)
from services.gateway.console.nav import ADMINS
from services.gateway.routes import (
    care,
    deliberation,
    evaluation,
    issues,
    orders,
    points,
    registry,
)

router = console_router()
READERS = evaluation.READERS
CHILD = {UnitKind.district: UnitKind.street, UnitKind.street: UnitKind.community,
         UnitKind.community: UnitKind.grid}
CHARTED = (UnitKind.community, UnitKind.street)  # evaluation's monthly charts exist for these


# ---- triage -------------------------------------------------------------------------------

def _triage_values(ctx: Ctx, cursor: str | None = None) -> dict[str, Any]:
    page = issues.list_issues(ctx.caller, ctx.rpc, state="received", limit=20, cursor=cursor)
    queue = []
    for item in page["items"]:
        try:
            dupes = issues.duplicate_candidates(item["id"], ctx.caller, ctx.rpc)["items"]
        except DomainError:
            dupes = []
        queue.append({"issue": item, "duplicates": dupes})
    return {"title": ctx.t("nav.triage"), "queue": queue, "page": page}


@router.get("/triage")
def triage_queue(request: Request, cursor: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(Role.community_admin)
    return ctx.render("triage.html", **_triage_values(ctx, cursor))


@router.post("/triage/{issue_id}")
def triage(request: Request, issue_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.community_admin)
    _, refused = attempt(ctx, lambda: issues.triage_issue(
        issue_id, TriageIn.model_validate({}), ctx.caller, ctx.rpc), "triage.html", {},
        page=lambda: _triage_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/triage")


@router.post("/triage/{issue_id}/merge")
def merge(request: Request, issue_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.community_admin)
    body = {"original_id": str(form.get("original_id", ""))}
    _, refused = attempt(ctx, lambda: issues.merge_issue(
        issue_id, MergeIn.model_validate(body), ctx.caller, ctx.rpc), "triage.html", body,
        page=lambda: _triage_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/triage")


# ---- dashboard ----------------------------------------------------------------------------

def _home_unit(ctx: Ctx) -> tuple[UnitKind, str]:
    caller = ctx.caller
    if caller.role is Role.community_admin:
        return UnitKind.community, caller.community_id
    if caller.role is Role.street_admin:
        return UnitKind.street, caller.street_id
    if caller.role is Role.department and caller.department_id:
        return UnitKind.department, caller.department_id
    return UnitKind.district, caller.district_id


def _month(value: str | None) -> str:
    if value and re.fullmatch(r"20\d{2}-(0[1-9]|1[0-2])", value):
        return value
    return datetime.now(UTC).strftime("%Y-%m")


def _span(month: str) -> tuple[date, date]:
    first = date.fromisoformat(month + "-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, min(following.fromordinal(following.toordinal() - 1),
                      datetime.now(UTC).date())


@router.get("/dashboard")
def dashboard(request: Request, unit: str | None = None, unit_id: str | None = None,
              month: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(*READERS)
    kind, target = _home_unit(ctx)
    if unit and unit_id:  # drill down: the services refuse a unit outside the caller's scope
        try:
            kind, target = UnitKind(unit), unit_id
        except ValueError as exc:
            raise InvalidInput("no such unit kind", {"unit": unit}) from exc
    month = _month(month)
    start, end = _span(month)
    figures = evaluation.figures(ctx.caller, ctx.rpc, kind, target, start, end)
    names = _names(ctx)
    league = None
    if ctx.caller.role in (*ADMINS, Role.ops) and kind in CHILD:
        try:
            league = evaluation.rankings(ctx.caller, ctx.rpc, CHILD[kind], target, start, end,
                                         rate=RateName.satisfaction, min_sample=1)
        except DomainError:
            league = None
    lists = _order_lists(ctx, kind, target)
    alerts = []
    if ctx.caller.role in ADMINS and kind is UnitKind.community:
        alerts = evaluation.list_alerts(ctx.caller, ctx.rpc, target, limit=10,
                                        cursor=None)["items"]
    street_lists = _street_lists(ctx, kind, target)
    charts = ([f"{PREFIX}/charts/{kind.value}/{target}/{month}/{c.value}.png"
               for c in ChartKind] if kind in CHARTED else [])
    return ctx.render("dashboard.html", title=ctx.t("dash.title"), kind=kind.value,
                      target=target, target_name=names.get(target, target), month=month,
                      figures=figures, league=league, charts=charts, alerts=alerts,
                      names=names, child=CHILD.get(kind), **lists, **street_lists)


def _names(ctx: Ctx) -> dict[str, str]:
    try:
        return {u["id"]: u["name"] for u in registry.list_units(ctx.caller, ctx.rpc)}
    except DomainError:
        return {}


def _street_lists(ctx: Ctx, kind: UnitKind, target: str) -> dict[str, Any]:
    """What went up the ladder to a street (its admins, or the district's looking at it):
    overdue decisions of deliberation (督) and missed visits of elders living alone (care,
    where and since when only). A service that does not answer leaves its list empty."""
    found: dict[str, Any] = {"decisions_escalated": None, "visits_escalated": None}
    if kind is not UnitKind.street or ctx.caller.role not in (Role.street_admin,
                                                               Role.district_admin):
        return found
    for key, read in (("decisions_escalated", deliberation.list_escalations),
                      ("visits_escalated", care.list_escalations)):
        try:
            found[key] = read(ctx.caller, ctx.rpc, street_id=target, limit=20,
                              cursor=None)["items"]
        except DomainError:
            found[key] = []
    return found


def _order_lists(ctx: Ctx, kind: UnitKind, target: str) -> dict[str, Any]:
    """Overdue orders, nearest deadline first (a community's: the first of its deadline
    listing, where the overdue come first; a street's: of its newest 100), and those
    escalated to the street; each only where the caller's role may list orders."""
    if ctx.caller.role not in orders.WORKERS or kind not in (UnitKind.community,
                                                            UnitKind.street):
        return {"overdue": [], "escalated": [], "stats": None}
    community = target if kind is UnitKind.community else None
    page = orders.list_orders(ctx.caller, ctx.rpc, community_id=community, state=None,
                              pool=None, reached=None, mine=False, limit=100, cursor=None,
                              by_deadline=community is not None)
    overdue = sorted((o for o in page["items"] if o.get("overdue")),
                     key=lambda o: o.get("resolution_due_at") or "")
    escalated = orders.list_orders(ctx.caller, ctx.rpc, community_id=community, state=None,
                                   pool=None, reached=Level.street, mine=False, limit=20,
                                   cursor=None)["items"]
    stats = (orders.order_stats(ctx.caller, ctx.rpc, community) if community else None)
    return {"overdue": overdue[:20], "escalated": escalated, "stats": stats}


@router.get("/charts/{unit}/{unit_id}/{month}/{kind}.png")
def chart(request: Request, unit: str, unit_id: str, month: str, kind: ChartKind) -> Response:
    ctx = context(request)
    ctx.allow(*READERS)
    if unit not in ("community", "street"):
        raise InvalidInput("charts are drawn for communities and streets", {"unit": unit})
    return ctx.finish(evaluation.month_chart(unit, unit_id, _month(month), kind, "png",
                                             ctx.caller, ctx.rpc))


# ---- operations ---------------------------------------------------------------------------

def _metrics_port(name: str, default: int) -> int:
    raw = os.environ.get(f"LINLI_{name.upper()}_METRICS_PORT", "")
    return int(raw) if raw.isdigit() else default


_BACKLOG = re.compile(r'^linli_outbox_backlog\{[^}]*\}\s+([0-9.e+]+)', re.M)


def _probe(url: str) -> tuple[str, int | None]:
    try:
        got = httpx.get(url, timeout=0.8)
    except httpx.HTTPError:
        return "down", None
    if got.status_code != 200:
        return "down", None
    backlog = sum(float(v) for v in _BACKLOG.findall(got.text))
    return "up", int(backlog)


@router.get("/ops")
def ops(request: Request, community_id: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(Role.ops)
    host = request.url.hostname or "127.0.0.1"
    rows = []
    for spec in SERVICES:
        url = f"http://{host}:{_metrics_port(spec.name, spec.metrics_port)}/metrics"
        state, backlog = _probe(f"http://127.0.0.1:{_metrics_port(spec.name, spec.metrics_port)}"
                                "/metrics")
        rows.append({"name": spec.name, "metrics": url, "state": state, "backlog": backlog})
    rows.append({"name": "gateway", "metrics": f"{PREFIX.rsplit('/', 1)[0]}/metrics",
                 "state": "up", "backlog": None})
    communities = [u for u in _units(ctx) if u["level"] == "community"]
    report = None
    form = {"community_id": community_id or ""}
    if community_id:
        report, refused = attempt(ctx, lambda: points.verify_ledger(
            community_id, ctx.caller, ctx.rpc, limit=100, cursor=None), "ops.html", form,
            title=ctx.t("ops.title"), rows=rows, communities=communities, report=None)
        if refused:
            return refused
    return ctx.render("ops.html", title=ctx.t("ops.title"), rows=rows, form=form,
                      communities=communities, report=report)


def _units(ctx: Ctx) -> list[dict]:
    try:
        return registry.list_units(ctx.caller, ctx.rpc)
    except DomainError:
        return []
