"""Micro-wishes (微心愿) and activities: residents post wishes and confirm them fulfilled,
members claim them from the board; people sign up for activities and show their door code,
organisers check participants in by that code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response

from services.common.caller import Role
from services.common.contracts.volunteers import AnswerIn, CheckIn, FulfilIn, WishIn
from services.gateway.console.core import (
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
    nested,
    templates,
)
from services.gateway.routes import volunteers

router = console_router()
PEOPLE, MEMBERS, ORGANISERS = volunteers.PEOPLE, volunteers.MEMBERS, volunteers.ORGANISERS
POSTERS = (Role.resident, *MEMBERS, Role.community_admin)  # post_wish's roles
templates.filters["ts"] = lambda v: (datetime.fromtimestamp(v, UTC).strftime("%Y-%m-%d %H:%M")
                                     if v else "")


def _wish_values(ctx: Ctx) -> dict[str, Any]:
    return {"title": ctx.t("nav.wishes"), "posters": POSTERS, "members": MEMBERS,
            "mine": volunteers.my_wishes(ctx.caller, ctx.rpc, claimed=ctx.caller.role in MEMBERS,
                                         limit=20, cursor=None),
            "board": volunteers.wish_board(ctx.caller, ctx.rpc, limit=20, cursor=None),
            # matched tasks: the offers volunteers made to this member (accept or decline)
            "offers": (volunteers.list_matches(ctx.caller, ctx.rpc, offered=True, limit=20,
                                               cursor=None)
                       if ctx.caller.role in MEMBERS else {"items": []})}


@router.get("/wishes")
def wishes(request: Request) -> Response:
    ctx = context(request)
    ctx.allow(*PEOPLE)
    return ctx.render("wishes.html", **_wish_values(ctx))


@router.post("/wishes")
def post_wish(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*POSTERS)
    body = nested(form)
    _, refused = attempt(ctx, lambda: volunteers.post_wish(WishIn.model_validate(body),
                                                           ctx.caller, ctx.rpc),
                         "wishes.html", dict(body), page=lambda: _wish_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/wishes")


@router.post("/wishes/{wish_id}/claim")
def claim_wish(request: Request, wish_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*MEMBERS)
    _, refused = attempt(ctx, lambda: volunteers.claim_wish(wish_id, ctx.caller, ctx.rpc),
                         "wishes.html", {}, page=lambda: _wish_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/wishes")


@router.post("/wishes/{wish_id}/fulfil")
def fulfil_wish(request: Request, wish_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*PEOPLE)
    body = nested(form)
    _, refused = attempt(ctx, lambda: volunteers.fulfil_wish(
        wish_id, FulfilIn.model_validate(body), ctx.caller, ctx.rpc), "wishes.html", dict(body),
        page=lambda: _wish_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/wishes")


def _activity_values(ctx: Ctx) -> dict[str, Any]:
    return {"title": ctx.t("nav.activities"), "organisers": ORGANISERS,
            "activities": volunteers.list_activities(ctx.caller, ctx.rpc, limit=20,
                                                     cursor=None)}


@router.get("/activities")
def activities(request: Request, code_for: str | None = None) -> Response:
    ctx = context(request)
    ctx.allow(*PEOPLE)
    door = volunteers.door_qr(code_for, ctx.caller, ctx.rpc) if code_for else None
    return ctx.render("activities.html", door=door, code_for=code_for,
                      **_activity_values(ctx))


@router.post("/activities/{activity_id}/sign-up")
def sign_up(request: Request, activity_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*PEOPLE)
    _, refused = attempt(ctx, lambda: volunteers.sign_up(activity_id, ctx.caller, ctx.rpc),
                         "activities.html", {}, page=lambda: _activity_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/activities?code_for={activity_id}")


@router.post("/activities/{activity_id}/check-in")
def check_in(request: Request, activity_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*ORGANISERS)
    body = nested(form)
    done, refused = attempt(ctx, lambda: volunteers.check_in(
        activity_id, CheckIn.model_validate(body), ctx.caller, ctx.rpc), "activities.html",
        dict(body), page=lambda: _activity_values(ctx))
    if refused:
        return refused
    return ctx.render("activities.html", door=None, code_for=None,
                      notice=f"{ctx.t('activity.checked_in')}: {done['action']}",
                      **_activity_values(ctx))


@router.post("/matches/{match_id}/answer")
def answer(request: Request, match_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*MEMBERS, Role.resident)  # answer_offer's roles
    body = {"accept": form.get("accept") == "yes"}
    _, refused = attempt(ctx, lambda: volunteers.answer_offer(
        match_id, AnswerIn.model_validate(body), ctx.caller, ctx.rpc), "wishes.html", {},
        page=lambda: _wish_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/wishes")
