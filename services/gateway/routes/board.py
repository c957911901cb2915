"""五微 (seed 000): a community's public board, readable without signing in (公示).

Counts and links only, never a person's name or contact; each section answers on its own
(a service down or slow: that section `available: false`, the page still 200 in time).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.common.contracts.board import FiveMicroOut
from services.gateway.deps import PathId

router = APIRouter(prefix="/public/communities/{community_id}", tags=["publication"])


@router.get("/five-micro", response_model=FiveMicroOut)
def five_micro(community_id: PathId, request: Request) -> dict:
    """五微服务群众法: 微心愿 · 微志愿 · 微治理 · 微积分 · 微更新, the community's figures and
    the lists they come from (a few seconds old at most; 404 if no such community)."""
    return request.app.state.board.page(community_id)
