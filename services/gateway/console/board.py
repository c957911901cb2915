"""The 五微 public board page (seed 000): a community's five sections with their figures and
links, for anyone (no sign-in), from the JSON route's own answer (routes/board.py)."""

from __future__ import annotations

from fastapi import Request, Response

from services.common.caller import Role
from services.gateway.console.core import (
    PREFIX,
    console_router,
    context,
)
from services.gateway.deps import PathId
from services.gateway.routes import board

router = console_router()


@router.get("/five-micro")
def own_board(request: Request) -> Response:
    """A signed-in member's own community's board."""
    ctx = context(request)
    assert ctx.caller is not None
    if not ctx.caller.community_id or ctx.caller.role in (Role.system, Role.app):
        return ctx.render("error.html", status=404, title=ctx.t("error"),
                          detail=ctx.t("five_micro.no_community"), fields={})
    return ctx.redirect(f"{PREFIX}/five-micro/{ctx.caller.community_id}")


@router.get("/five-micro/{community_id}")
def community_board(request: Request, community_id: PathId) -> Response:
    ctx = context(request, signed_in=False)
    page = board.five_micro(community_id, request)
    return ctx.render("five_micro.html", title=f"{page['community']['name']} · "
                      f"{ctx.t('five_micro.title')}", board=page)
