"""Work orders for grid workers, members, volunteers, operators and departments: the pool in
scope, claim, acknowledge, report in to a whistle, resolve with photo evidence; and for the
community's admins the board by deadline with confirm, return and whistle."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from starlette.datastructures import UploadFile

from services.common.caller import Role
from services.common.contracts.dispatch import ResultIn, WhistleIn
from services.common.contracts.workflow import ReasonIn
from services.common.errors import DomainError
from services.gateway.console.core import (
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
)
from services.gateway.console.nav import ADMINS, CLAIMERS
from services.gateway.routes import issues, orders

router = console_router()
WORKERS = orders.WORKERS
TABS = {"pool": CLAIMERS, "mine": (*CLAIMERS, Role.department), "all": (*ADMINS, Role.department)}


def tabs_for(role: Role) -> list[str]:
    return [tab for tab, roles in TABS.items() if role in roles]


@router.get("/orders")
def order_list(request: Request, tab: str | None = None, state: str | None = None,
               cursor: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(*WORKERS)
    tabs = tabs_for(ctx.caller.role)
    tab = tab if tab in tabs else tabs[0]
    # The pool: members claim from the member pool; a grid worker the open orders at their
    # grid (dispatch's check_may_claim), which the community's board shows them.
    query: dict[str, Any] = {"pool": True if tab == "pool" and ctx.caller.role is not
                             Role.grid_worker else None, "mine": tab == "mine"}
    if tab == "pool" and ctx.caller.role is Role.grid_worker:
        state = state or "open"
    # The board: a community's active orders, the nearest deadline first across its pages
    # (dispatch's deadline listing); a street's, or a finished state, newest first, each
    # page by deadline.
    page = orders.list_orders(ctx.caller, ctx.rpc, state=_state(state), limit=20,
                              cursor=cursor, reached=None, community_id=None,
                              by_deadline=tab == "all", **query)
    items = page["items"]
    if tab == "all":
        items = sorted(items, key=lambda o: (o.get("resolution_due_at") or "9999"))
    return ctx.render("orders.html", title=ctx.t("nav.orders"), page=page, items=items,
                      tab=tab, tabs=tabs, state=state or "")


def _state(value: str | None) -> Any:
    from services.common.contracts.dispatch import OrderState
    try:
        return OrderState(value) if value else None
    except ValueError:
        return None


def actions_for(ctx: Ctx, order: dict) -> list[str]:
    """The buttons this caller may press on this order: the route's roles and the state."""
    role, me, state = ctx.caller.role, ctx.caller.user_id, order["state"]
    mine = order.get("claimed_by") == me
    targets = {f"member:{me}"} | ({f"department:{ctx.caller.department_id}"}
                                  if ctx.caller.department_id else set())
    pending = {r["target"] for r in order.get("report_ins", []) if r["state"] == "pending"}
    summoned = bool(targets & pending)
    found = []
    at_my_grid = (role is Role.grid_worker and order.get("grid_id") == ctx.caller.grid_id
                  and order["level"] not in ("street", "district"))
    if role in CLAIMERS and state == "open" and (order.get("pool") or at_my_grid):
        found.append("claim")
    if role in CLAIMERS and state == "claimed" and mine:
        found.append("acknowledge")
    if role in (Role.department, *CLAIMERS) and summoned:
        found.append("report_in")
    summoned_ever = bool(targets & {r["target"] for r in order.get("report_ins", [])})
    if role in (*CLAIMERS, Role.department) and (
            (state == "in_progress" and mine)
            or (summoned_ever and state in ("open", "claimed", "in_progress"))):
        found.append("resolve")
    if role in ADMINS and state == "resolved":
        found += ["confirm", "return"]
    if role in ADMINS and state in ("open", "claimed", "in_progress"):
        found.append("whistle")
    return found


def _order_values(ctx: Ctx, order_id: str) -> dict[str, Any]:
    order = orders.get_order(order_id, ctx.caller, ctx.rpc)
    return {"title": ctx.t("nav.orders"), "order": order, "actions": actions_for(ctx, order)}


@router.get("/orders/{order_id}")
def order_page(request: Request, order_id: str) -> Response:
    ctx = context(request)
    ctx.allow(*WORKERS)
    return ctx.render("order.html", **_order_values(ctx, order_id))


def _act(ctx: Ctx, order_id: str, action: Any, form: dict | None = None) -> Response:
    _, refused = attempt(ctx, action, "order.html", form or {},
                         page=lambda: _order_values(ctx, order_id))
    return refused or ctx.redirect(f"{PREFIX}/orders/{order_id}")


@router.post("/orders/{order_id}/claim")
def claim(request: Request, order_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*CLAIMERS)
    return _act(ctx, order_id, lambda: orders.claim_order(order_id, ctx.caller, ctx.rpc))


@router.post("/orders/{order_id}/acknowledge")
def acknowledge(request: Request, order_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*CLAIMERS)
    return _act(ctx, order_id, lambda: orders.acknowledge_order(order_id, ctx.caller, ctx.rpc))


@router.post("/orders/{order_id}/report-in")
def report_in(request: Request, order_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.department, *CLAIMERS)
    return _act(ctx, order_id, lambda: orders.report_in(order_id, ctx.caller, ctx.rpc))


@router.post("/orders/{order_id}/resolve")
def resolve(request: Request, order_id: str, form: Form) -> Response:
    """The result with its evidence: a photo goes onto the order's issue first (intake keeps
    photos), and the evidence names it."""
    ctx = context(request)
    ctx.allow(*CLAIMERS, Role.department)
    text = str(form.get("result", "")).strip()
    flat = {"result": text}

    def go() -> Any:
        evidence = []
        photo = form.get("photo")
        if isinstance(photo, UploadFile) and photo.filename:
            order = orders.get_order(order_id, ctx.caller, ctx.rpc)
            if not order.get("issue_id"):
                raise DomainError("this order has no issue to keep the photo",
                                  {"photo": "no issue"})
            try:
                issue = issues.add_photo(order["issue_id"], photo, ctx.caller, ctx.rpc,
                                         ctx.settings)
            except DomainError as exc:  # the reason belongs under the photo field
                raise type(exc)(exc.message, {"photo": "; ".join(exc.fields.values())
                                              or exc.message}) from exc
            evidence.append(f"/issues/{order['issue_id']}/photos/{issue['photos'][-1]}")
        body = ResultIn.model_validate({"result": text, "evidence": evidence})
        return orders.submit_result(order_id, body, ctx.caller, ctx.rpc)

    return _act(ctx, order_id, go, flat)


@router.post("/orders/{order_id}/confirm")
def confirm(request: Request, order_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*ADMINS)
    return _act(ctx, order_id, lambda: orders.confirm_order(order_id, ctx.caller, ctx.rpc))


@router.post("/orders/{order_id}/return")
def return_(request: Request, order_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*ADMINS)
    body = {"reason": str(form.get("reason", "")).strip()}
    return _act(ctx, order_id, lambda: orders.return_order(
        order_id, ReasonIn.model_validate(body), ctx.caller, ctx.rpc), body)


@router.post("/orders/{order_id}/whistle")
def whistle(request: Request, order_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*ADMINS)
    flat = {k: str(form.get(k, "")) for k in ("departments", "members", "report_in_minutes",
                                                "note")}
    body: dict[str, Any] = {k: [x.strip() for x in flat[k].split(",") if x.strip()]
                            for k in ("departments", "members")}
    if flat["report_in_minutes"].strip():
        body["report_in_minutes"] = flat["report_in_minutes"].strip()
    if flat["note"].strip():
        body["note"] = flat["note"].strip()
    return _act(ctx, order_id, lambda: orders.whistle_order(
        order_id, WhistleIn.model_validate(body), ctx.caller, ctx.rpc), flat)
