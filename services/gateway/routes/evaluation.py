"""Evaluation (评 · 三率): rate a resolved issue, read a unit's three rates, the rating window."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from services.common.caller import ADMIN_ROLES, Role
from services.common.contracts.evaluation import (
    FiguresOut,
    Period,
    PolicyOut,
    RatingIn,
    RatingOut,
    SeriesOut,
    UnitKind,
    WindowIn,
)
from services.common.rpc import dump
from services.gateway.deps import CallerDep, PathId, RequiredQueryId, RpcDep, caller_args, require

router = APIRouter(tags=["evaluation"])
READERS = (*ADMIN_ROLES, Role.ops, Role.department)


@router.post("/issues/{issue_id}/rate", response_model=RatingOut)
def rate_issue(issue_id: PathId, body: RatingIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """The reporter (or a merged duplicate's reporter) rates the resolved issue: satisfied,
    basically satisfied or unsatisfied. The first unsatisfied rating reopens it, once."""
    return rpc.call("evaluation", "rate_issue", caller_args(caller), issue_id, dump(body))


@router.get("/evaluation/figures", response_model=FiguresOut)
def figures(caller: CallerDep, rpc: RpcDep, unit: UnitKind, unit_id: RequiredQueryId,
            start: date, end: date) -> dict:
    """A unit's 响应率 / 解决率 / 满意率 and their parts over [start, end] (≤ 366 days)."""
    require(caller, *READERS)
    return rpc.call("evaluation", "figures", caller_args(caller), {
        "unit": unit.value, "unit_id": unit_id, "start": start.isoformat(),
        "end": end.isoformat()})


@router.get("/evaluation/series", response_model=SeriesOut)
def series(caller: CallerDep, rpc: RpcDep, unit: UnitKind, unit_id: RequiredQueryId,
           start: date, end: date, period: Period = Period.day) -> dict:
    """The same per day, week or month across the range."""
    require(caller, *READERS)
    return rpc.call("evaluation", "series", caller_args(caller), {
        "unit": unit.value, "unit_id": unit_id, "start": start.isoformat(),
        "end": end.isoformat(), "period": period.value})


@router.get("/evaluation/policy/{community_id}", response_model=PolicyOut)
def get_policy(community_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """The community's rating window."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("evaluation", "get_policy", caller_args(caller), community_id)


@router.put("/evaluation/policy/{community_id}", response_model=PolicyOut)
def set_policy(community_id: PathId, body: WindowIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Set how many days after resolution the people served may rate (admins)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("evaluation", "set_policy", caller_args(caller), community_id, dump(body))
