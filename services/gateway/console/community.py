"""The community admin's registry pages: the grid tree, the earning rules (set one), the
partner merchants and their offers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import FormData

from services.common.caller import Role
from services.common.contracts.points import (
    CooperationMode,
    EarnKind,
    MerchantIn,
    OfferIn,
    RuleIn,
)
from services.common.errors import InvalidInput
from services.gateway.console.core import (
    FORM_ONLY,
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
)
from services.gateway.routes import grids, points

router = console_router()


def _tree(rows: list[dict]) -> list[tuple[int, dict]]:
    """Grids parents first, each with its depth (rows come parents first)."""
    depth: dict[str, int] = {}
    ordered: list[tuple[int, dict]] = []
    children: dict[str | None, list[dict]] = {}
    for row in rows:
        children.setdefault(row.get("parent_id"), []).append(row)

    def walk(parent: str | None, level: int) -> None:
        for row in children.get(parent, []):
            depth[row["id"]] = level
            ordered.append((level, row))
            walk(row["id"], level + 1)

    walk(None, 0)
    return ordered


def _values(ctx: Ctx) -> dict[str, Any]:
    community = ctx.caller.community_id
    merchants = points.list_merchants(ctx.caller, ctx.rpc, limit=50, cursor=None)
    return {"title": ctx.t("nav.community"),
            "merchant_options": [(m["merchant_id"], m["name"]) for m in merchants["items"]],
            "tree": _tree(grids.list_grids(community, ctx.caller, ctx.rpc)),
            "rules": points.list_rules(ctx.caller, ctx.rpc),
            "merchants": merchants,
            "offers": points.list_offers(ctx.caller, ctx.rpc, limit=50, cursor=None),
            "modes": [m.value for m in CooperationMode]}


@router.get("/community")
def community(request: Request) -> Response:
    ctx = context(request)
    ctx.allow(Role.community_admin)
    return ctx.render("community.html", **_values(ctx))


@router.post("/community/rules/{kind}")
def set_rule(request: Request, kind: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.community_admin)
    body = {k: str(v).strip() for k, v in form.items()
            if k in ("points", "daily_cap", "weekly_cap") and str(v).strip()}
    body["active"] = form.get("active") == "on"

    def go() -> Any:
        try:
            earn = EarnKind(kind)
        except ValueError as exc:
            raise InvalidInput("no such earning kind", {"kind": kind}) from exc
        return points.set_rule(earn, RuleIn.model_validate(body), ctx.caller.community_id,
                               ctx.caller, ctx.rpc)

    _, refused = attempt(ctx, go, "community.html", {f"{kind}.{k}": v for k, v in body.items()},
                         page=lambda: _values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/community")


@router.post("/community/merchants")
def onboard(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.community_admin)  # onboard_merchant's one role
    body = {"merchant_id": str(form.get("merchant_id", "")).strip(),
            "name": str(form.get("name", "")).strip(),
            "modes": [m for m in form.getlist("modes") if isinstance(m, str)]}
    _, refused = attempt(ctx, lambda: points.onboard_merchant(
        MerchantIn.model_validate(body), ctx.caller, ctx.rpc), "community.html",
        {k: v for k, v in body.items() if k != "modes"}, page=lambda: _values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/community")


def put_on_sale(ctx: Ctx, form: FormData, template: str, page: Callable[[], dict[str, Any]],
                done: str) -> Response:
    """An offer form posted (the community's admin's, or a merchant's own): points makes
    the offer, or the page again with the reasons under the fields. A date input is the
    day's start, UTC."""
    flat = {k: str(v).strip() for k, v in form.items() if k not in FORM_ONLY and str(v).strip()}
    body = dict(flat)
    for k in ("valid_from", "valid_until"):
        if k in body and len(body[k]) == 10:
            body[k] = f"{body[k]}T00:00:00Z"
    _, refused = attempt(ctx, lambda: points.create_offer(
        OfferIn.model_validate(body), ctx.caller, ctx.rpc), template, flat, page=page)
    return refused or ctx.redirect(done)


@router.post("/community/offers")
def create_offer(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.community_admin)
    return put_on_sale(ctx, form, "community.html", lambda: _values(ctx), f"{PREFIX}/community")
