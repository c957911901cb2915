"""Deliberation for the community's people: proposals (居民提案) and their supporters, the
topic list, the meetings and, while one is voting, the household's ballot."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from services.common.contracts.deliberation import BallotIn, TopicIn
from services.common.errors import DomainError
from services.gateway.console import meetings
from services.gateway.console.core import (
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
)
from services.gateway.routes import deliberation

router = console_router()
PEOPLE, ADMIN, READERS = deliberation.PEOPLE, deliberation.ADMIN, deliberation.READERS


def values(ctx: Ctx) -> dict[str, Any]:
    try:
        categories = deliberation.topic_categories(ctx.caller, ctx.rpc)
    except DomainError:
        categories = []
    return {"title": ctx.t("nav.topics"), "people": PEOPLE, "proposers": (*PEOPLE, *ADMIN),
            "admins": ADMIN,
            "categories": [(c["colour"], c["name"]) for c in categories if not c["retired"]],
            "proposals": deliberation.topic_list(ctx.caller, ctx.rpc, proposals=True,
                                                 limit=20, cursor=None),
            "listed": deliberation.topic_list(ctx.caller, ctx.rpc, proposals=False, limit=20,
                                              cursor=None),
            "meetings": deliberation.list_meetings(ctx.caller, ctx.rpc, limit=10,
                                                   cursor=None),
            **(meetings.schedule_values(ctx) if ctx.can(*ADMIN) else {})}


@router.get("/topics")
def topics(request: Request) -> Response:
    ctx = context(request)
    ctx.allow(*READERS)
    return ctx.render("topics.html", **values(ctx))


@router.post("/topics")
def propose(request: Request, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*PEOPLE, *ADMIN)
    body = {k: str(v).strip() for k, v in form.items()
            if k in ("title", "detail", "category") and str(v).strip()}
    _, refused = attempt(ctx, lambda: deliberation.propose_topic(
        TopicIn.model_validate(body), ctx.caller, ctx.rpc), "topics.html", body,
        page=lambda: values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/topics")


@router.post("/topics/{topic_id}/support")
def support(request: Request, topic_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*PEOPLE)
    _, refused = attempt(ctx, lambda: deliberation.support_topic(topic_id, ctx.caller, ctx.rpc),
                         "topics.html", {}, page=lambda: values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/topics")


@router.post("/meetings/{meeting_id}/ballot")
def ballot(request: Request, meeting_id: str, form: Form) -> Response:
    ctx = context(request)
    ctx.allow(*PEOPLE, *ADMIN)
    picks = [str(c) for c in form.getlist("candidates")]
    body = {"choice": str(form.get("choice", "")) or None, **(
        {"candidates": picks} if picks else {})}
    _, refused = attempt(ctx, lambda: deliberation.cast_ballot(
        meeting_id, BallotIn.model_validate(body), ctx.caller, ctx.rpc), "topics.html", body,
        page=lambda: values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/topics?voted=1")


@router.post("/topics/{topic_id}/pick")
def pick(request: Request, topic_id: str, form: Form) -> Response:
    """The community's admin lists a proposal on the topic list (议题清单) at once."""
    ctx = context(request)
    ctx.allow(*ADMIN)
    _, refused = attempt(ctx, lambda: deliberation.pick_topic(topic_id, ctx.caller, ctx.rpc),
                         "topics.html", {}, page=lambda: values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/topics")
