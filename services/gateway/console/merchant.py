"""A merchant at the counter: type or scan a redemption code, confirm or refuse it; its own
offers (list them, add one, set one's stock); and the settlement statement of a period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi import Request, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from services.common.caller import Role
from services.common.contracts.points import ConfirmIn, OfferUpdate
from services.common.errors import DomainError, InvalidInput
from services.gateway.console.community import put_on_sale
from services.gateway.console.core import (
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
)
from services.gateway.console.nav import ADMINS
from services.gateway.routes import points

router = console_router()


def _code(form: FormData) -> str:
    return str(form.get("code", "")).strip().upper().replace(" ", "").replace("-", "")


@router.get("/counter")
def counter(request: Request) -> Response:
    ctx = context(request)
    ctx.allow(Role.merchant)
    return ctx.render("counter.html", title=ctx.t("counter.title"), step="enter")


@router.post("/counter/check")
def check(request: Request, form: Form) -> Response:
    """Step two: the code as typed or scanned, read back with what it is for (the offer,
    its price, until when) and, if it can be confirmed now, confirm and refuse; if not,
    why (already confirmed, expired, cancelled). Another merchant's code is unknown."""
    ctx = context(request)
    ctx.allow(Role.merchant)
    code = _code(form)
    checked, refused = attempt(ctx, lambda: points.check_code(
        ConfirmIn.model_validate({"code": code}), ctx.caller, ctx.rpc), "counter.html",
        {"code": code}, title=ctx.t("counter.title"), step="enter")
    return refused or ctx.render("counter.html", title=ctx.t("counter.title"), step="check",
                                 code=code, checked=checked)


@router.post("/counter/confirm")
def confirm(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.merchant)
    code = _code(form)
    if form.get("decision") == "refuse":
        return ctx.render("counter.html", title=ctx.t("counter.title"), step="enter",
                          notice=ctx.t("counter.refused"))
    done, refused = attempt(ctx, lambda: points.confirm_redemption(
        ConfirmIn.model_validate({"code": code}), ctx.caller, ctx.rpc), "counter.html",
        {"code": code}, title=ctx.t("counter.title"), step="enter")
    if refused:
        return refused
    try:
        offer = points.get_offer(done["offer_id"], ctx.caller, ctx.rpc)
    except DomainError:
        offer = None
    return ctx.render("counter.html", title=ctx.t("counter.title"), step="done",
                      redemption=done, offer=offer, notice=ctx.t("counter.confirmed"))


def _offers_values(ctx: Ctx) -> dict:
    """Its offers in its own community (none listed if it is not a partner there: its
    offers elsewhere are on that community's list)."""
    try:
        offers = points.list_offers(ctx.caller, ctx.rpc, limit=50, cursor=None)
    except DomainError:
        offers = {"items": [], "next_cursor": None}
    return {"title": ctx.t("nav.offers"), "offers": offers}


@router.get("/offers")
def offers(request: Request) -> Response:
    """The merchant's own offers in its community, newest first, and the form for one more
    (in another community of the street it is a partner of, by naming it)."""
    ctx = context(request)
    ctx.allow(Role.merchant)
    return ctx.render("offers.html", **_offers_values(ctx))


@router.post("/offers")
def create_offer(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(Role.merchant)
    return put_on_sale(ctx, form, "offers.html", lambda: _offers_values(ctx),
                       f"{PREFIX}/offers?added=1")


@router.post("/offers/{offer_id}/stock")
def restock(request: Request, offer_id: str, form: Form) -> Response:
    """An offer's stock set from what the page showed: a unit reserved since is the page
    again naming the stock it has now (points' compare-and-set)."""
    ctx = context(request)
    ctx.allow(Role.merchant)
    flat = {k: str(form.get(k) or "").strip() for k in ("new_stock", "seen_stock")}

    def change() -> dict:
        try:
            body = OfferUpdate(stock=flat["new_stock"] or None, stock_was=flat["seen_stock"])
        except ValidationError as exc:  # the field the merchant typed in is `new_stock`
            raise InvalidInput("invalid stock", {"new_stock": "a whole number from 0"}) from exc
        return points.update_offer(offer_id, body, ctx.caller, ctx.rpc)

    _, refused = attempt(ctx, change, "offers.html", flat, page=lambda: _offers_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/offers?restocked=1")


def _day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError as exc:
        raise InvalidInput("not a date", {"start": "YYYY-MM-DD"}) from exc


@router.get("/settlement")
def settlement(request: Request, start: str | None = None, end: str | None = None,
               merchant_id: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(Role.merchant, *ADMINS)
    today = datetime.now(UTC).date()
    first, last = _day(start, today.replace(day=1)), _day(end, today)
    form = {"start": first.isoformat(), "end": last.isoformat(),
            "merchant_id": merchant_id or ""}
    values = {"title": ctx.t("settlement.title"), "statement": None}
    if ctx.caller.role is Role.merchant or merchant_id:
        begin = datetime.combine(first, time.min, UTC)
        finish = datetime.combine(last + timedelta(days=1), time.min, UTC)
        statement, refused = attempt(ctx, lambda: points.settlement(
            begin, finish, ctx.caller, ctx.rpc, merchant_id=merchant_id or None,
            community_id=None), "settlement.html", form, **values)
        if refused:
            return refused
        values["statement"] = statement
    return ctx.render("settlement.html", form=form, **values)
