"""A resident's pages: file an issue, follow its timeline and rate it; notifications; points
(balance, statement, offers, redeem with the one-time code as text and QR)."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import FormData, UploadFile

from services.common.caller import STAFF_ROLES, Role
from services.common.contracts.evaluation import RatingIn
from services.common.contracts.intake import IssueIn
from services.common.contracts.points import RedemptionIn
from services.common.errors import DomainError
from services.gateway.console.core import (
    FORM_ONLY,
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
    nested,
    templates,
)
from services.gateway.console.nav import EARNERS, FILERS, NOTIFIED, channels_for
from services.gateway.routes import categories, evaluation, grids, issues, notifications, points


def templates_global(fn):
    templates.globals[fn.__name__] = fn
    return fn


router = console_router()


# ---- issues -------------------------------------------------------------------------------

@router.get("/issues")
def my_issues(request: Request, cursor: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(Role.resident)
    page = issues.list_issues(ctx.caller, ctx.rpc, limit=20, cursor=cursor)
    return ctx.render("issues.html", title=ctx.t("nav.issues"), page=page,
                      names=_category_names(ctx))


def _catalogue(ctx: Ctx) -> list[dict]:
    if not ctx.caller.community_id:
        return []
    return categories.list_categories(ctx.request, Response(), ctx.caller.community_id,
                                      ctx.caller, ctx.rpc, limit=100, cursor=None)


def _category_names(ctx: Ctx) -> dict[str, str]:
    try:
        return {c["code"]: c["name"] if ctx.lang == "zh" else c["name_en"]
                for c in _catalogue(ctx)}
    except DomainError:
        return {}


def _places(ctx: Ctx) -> list[str]:
    """Compounds and buildings to pick from: the grid registry (staff read it; a resident
    types the place, the registry being staff-only in the API)."""
    if ctx.caller.role not in STAFF_ROLES or not ctx.caller.community_id:
        return []
    rows = grids.list_grids(ctx.caller.community_id, ctx.caller, ctx.rpc)
    places = []
    for row in rows:
        if row["level"] in ("compound", "building"):
            places += row.get("addresses") or [row["name"]]
    return sorted(set(places))


def _new_issue_values(ctx: Ctx, category: str | None) -> dict[str, Any]:
    catalogue = _catalogue(ctx)
    chosen = next((c for c in catalogue if c["code"] == category), None) or (
        catalogue[0] if catalogue else None)
    channels = channels_for(ctx.caller.role)
    return {"title": ctx.t("issue.new"), "chosen": chosen, "channels": channels,
            "category_options": [(c["code"], c["name"] if ctx.lang == "zh" else c["name_en"])
                                 for c in catalogue],
            "channel_options": [(c, ctx.t(f"channel.{c}")) for c in channels],
            "places": _places(ctx)}


@router.get("/issues/new")
def new_issue(request: Request, category: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(*FILERS)
    return ctx.render("issue_new.html", **_new_issue_values(ctx, category))


def _attributes(chosen: dict | None, form: FormData) -> dict[str, Any]:
    """The category's extra fields, typed as its catalogue says (intake checks them)."""
    values: dict[str, Any] = {}
    for attr in (chosen or {}).get("attributes", []):
        name = f"attributes.{attr['code']}"
        if attr["datatype"] == "multivaluelist":
            picked = [v for v in form.getlist(name) if isinstance(v, str) and v]
            if picked:
                values[attr["code"]] = picked
            continue
        raw = form.get(name)
        if not isinstance(raw, str) or not raw.strip():
            continue
        raw = raw.strip()
        if attr["datatype"] == "number":
            try:
                values[attr["code"]] = int(raw) if raw.lstrip("-").isdigit() else float(raw)
            except ValueError:
                values[attr["code"]] = raw  # intake names the field and why
        else:
            values[attr["code"]] = raw
    return values


@router.post("/issues/new")
def file_issue(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*FILERS)
    body = nested(form, skip=(*FORM_ONLY, "photo", "anonymous"))
    values = _new_issue_values(ctx, body.get("category"))
    body.pop("attributes", None)
    attributes = _attributes(values["chosen"], form)
    if attributes:
        body["attributes"] = attributes
    body["community_id"] = ctx.caller.community_id or ""
    body["anonymous"] = form.get("anonymous") == "on"
    flat = {k: v for k, v in form.multi_items() if isinstance(v, str)}

    filed, refused = attempt(
        ctx, lambda: issues.submit_issue(IssueIn.model_validate(body), ctx.caller, ctx.rpc),
        "issue_new.html", flat, **values)
    if refused:
        return refused
    photo = form.get("photo")
    if isinstance(photo, UploadFile) and photo.filename:
        try:
            issues.add_photo(filed["id"], photo, ctx.caller, ctx.rpc, ctx.settings)
        except DomainError:
            # the issue is filed: its page says so and that the photo was not taken (the
            # form again would file it a second time)
            return ctx.redirect(f"{PREFIX}/issues/{filed['id']}?filed=1&photo=refused")
    return ctx.redirect(f"{PREFIX}/issues/{filed['id']}?filed=1")


def _issue_values(ctx: Ctx, issue_id: str) -> dict[str, Any]:
    issue = issues.get_issue(issue_id, ctx.caller, ctx.rpc)
    timeline = issues.get_timeline(issue_id, ctx.caller, ctx.rpc, limit=100, cursor=None)
    # Only the one served rates, and only a resolved issue (evaluation's rule; it checks).
    may_rate = issue["state"] == "resolved" and issue.get("reporter_id") == ctx.caller.user_id
    return {"title": ctx.t("issue.timeline"), "issue": issue, "timeline": timeline["items"],
            "names": _category_names(ctx), "may_rate": may_rate}


@router.get("/issues/{issue_id}")
def issue_page(request: Request, issue_id: str, filed: int = 0, rated: int = 0,
               photo: str | None = None) -> Response:
    ctx = context(request)
    notice = ctx.t("issue.filed") if filed else ctx.t("issue.rated") if rated else None
    if notice and photo == "refused":
        notice = f"{notice} · {ctx.t('issue.photo_refused')}"
    return ctx.render("issue.html", notice=notice, **_issue_values(ctx, issue_id))


@router.post("/issues/{issue_id}/rate")
def rate(request: Request, issue_id: str, form: Form) -> Response:
    ctx = context(request)
    body = nested(form)
    _, refused = attempt(ctx, lambda: evaluation.rate_issue(
        issue_id, RatingIn.model_validate(body), ctx.caller, ctx.rpc), "issue.html",
        dict(body), page=lambda: _issue_values(ctx, issue_id))
    return refused or ctx.redirect(f"{PREFIX}/issues/{issue_id}?rated=1")


@router.get("/issues/{issue_id}/photos/{photo_id}")
def issue_photo(request: Request, issue_id: str, photo_id: str) -> Response:
    ctx = context(request)
    return ctx.finish(issues.get_photo(issue_id, photo_id, ctx.caller, ctx.rpc))


# ---- notifications ------------------------------------------------------------------------

@router.get("/notifications")
def inbox(request: Request, cursor: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(*NOTIFIED)
    page = notifications.list_notifications(ctx.caller, ctx.rpc, limit=20, cursor=cursor)
    unread = notifications.unread_count(ctx.caller, ctx.rpc)
    return ctx.render("notifications.html", title=ctx.t("nav.notifications"), page=page,
                      unread=unread)


@router.post("/notifications/read-all")
def read_all(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*NOTIFIED)
    notifications.mark_all_read(ctx.caller, ctx.rpc)
    return ctx.redirect(f"{PREFIX}/notifications")


@router.post("/notifications/{notification_id}/read")
def read_one(request: Request, notification_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*NOTIFIED)
    notifications.mark_read(notification_id, ctx.caller, ctx.rpc)
    return ctx.redirect(f"{PREFIX}/notifications")


@templates_global
def link_of(ref: str) -> str | None:
    """Where a notification's `ref` opens in the console."""
    kind, _, ref_id = ref.partition(":")
    return {"issue": f"{PREFIX}/issues/{ref_id}", "order": f"{PREFIX}/orders/{ref_id}",
            "redemption": f"{PREFIX}/points/redemptions/{ref_id}"}.get(kind)


# ---- points -------------------------------------------------------------------------------

def _points_values(ctx: Ctx) -> dict[str, Any]:
    return {"title": ctx.t("nav.points"),
            "balance": points.get_balance(ctx.caller, ctx.rpc),
            "statement": points.get_statement(ctx.caller, ctx.rpc, limit=10, cursor=None),
            "offers": points.list_offers(ctx.caller, ctx.rpc, limit=20, cursor=None),
            "redemptions": points.list_redemptions(ctx.caller, ctx.rpc, limit=10,
                                                   cursor=None)}


@router.get("/points")
def points_page(request: Request) -> Response:
    ctx = context(request)
    ctx.allow(*EARNERS)
    return ctx.render("points.html", **_points_values(ctx))


@router.post("/points/redeem")
def redeem(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*EARNERS)
    body = nested(form)
    made, refused = attempt(ctx, lambda: points.request_redemption(
        RedemptionIn.model_validate(body), ctx.caller, ctx.rpc), "points.html", dict(body),
        page=lambda: _points_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/points/redemptions/{made['id']}")


@router.get("/points/redemptions/{redemption_id}")
def redemption_page(request: Request, redemption_id: str) -> Response:
    ctx = context(request)
    ctx.allow(*EARNERS)
    redemption = points.get_redemption(redemption_id, ctx.caller, ctx.rpc)
    offer = points.get_offer(redemption["offer_id"], ctx.caller, ctx.rpc)
    qr = None
    if redemption.get("code") and redemption["state"] == "issued":
        image = points.redemption_qr(redemption_id, "png", ctx.caller, ctx.rpc)
        qr = "data:image/png;base64," + base64.b64encode(image.body).decode()
    return ctx.render("redemption.html", title=ctx.t("points.code"), redemption=redemption,
                      offer=offer, qr=qr)
