"""Evaluation (评 · 三率): rate a resolved issue, read a unit's three rates, the rating window."""

from __future__ import annotations

import base64
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from services.common.caller import ADMIN_ROLES, Role
from services.common.contracts.evaluation import (
    AlertOut,
    ChartKind,
    FiguresOut,
    ItemRatingIn,
    ItemRatingOut,
    League,
    MonthReport,
    Period,
    PolicyOut,
    RateName,
    RatingIn,
    RatingOut,
    ReportFormat,
    SeriesOut,
    ThreeRoutesOut,
    ThreeRoutesRecordIn,
    ThreeRouteWeightsIn,
    UnitKind,
    WindowIn,
)
from services.common.paging import DEFAULT_PAGE, MAX_PAGE, Page
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


PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageCursor = Annotated[str | None, Query(max_length=512)]
Month = Annotated[str, Path(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")]
ReportUnit = Literal["community", "street"]
MinSample = Annotated[int, Query(ge=1, le=10_000)]


def _league(unit: UnitKind, within: str, rate: RateName, start: date, end: date,
            min_sample: int) -> dict:
    return {"kind": unit.value, "within": within, "rate": rate.value,
            "start": start.isoformat(), "end": end.isoformat(), "min_sample": min_sample}


@router.get("/evaluation/rankings", response_model=League)
def rankings(caller: CallerDep, rpc: RpcDep, kind: UnitKind, within: RequiredQueryId,
             start: date, end: date, rate: RateName = RateName.satisfaction,
             min_sample: MinSample = 20) -> dict:
    """Rank the `kind` units within a unit whose figures you may read (a community admin:
    their grids; a street admin: their street's communities; the district: any)."""
    require(caller, *ADMIN_ROLES, Role.ops)
    return rpc.call("evaluation", "rank_units", caller_args(caller),
                    _league(kind, within, rate, start, end, min_sample))


@router.post("/evaluation/rankings/publish", response_model=League)
def publish_ranking(caller: CallerDep, rpc: RpcDep, kind: UnitKind, within: RequiredQueryId,
                    start: date, end: date, rate: RateName = RateName.satisfaction,
                    min_sample: MinSample = 20) -> dict:
    """The district publishes a league: its communities and streets then see their peers."""
    require(caller, Role.district_admin)
    return rpc.call("evaluation", "publish_league", caller_args(caller),
                    _league(kind, within, rate, start, end, min_sample))


@router.post("/evaluation/rankings/published/{publication_id}/withdraw", response_model=League)
def withdraw_ranking(publication_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """The district withdraws a league it published: its communities and streets no longer
    see it."""
    require(caller, Role.district_admin)
    return rpc.call("evaluation", "withdraw_league", caller_args(caller), publication_id)


@router.get("/evaluation/rankings/published", response_model=Page[League])
def published_rankings(caller: CallerDep, rpc: RpcDep, limit: PageLimit = DEFAULT_PAGE,
                       cursor: PageCursor = None) -> dict:
    """The leagues your district published, newest first."""
    require(caller, *ADMIN_ROLES, Role.ops)
    return rpc.call("evaluation", "published_leagues", caller_args(caller), limit, cursor)


@router.get("/evaluation/alerts", response_model=Page[AlertOut])
def list_alerts(caller: CallerDep, rpc: RpcDep, community_id: RequiredQueryId,
                limit: PageLimit = DEFAULT_PAGE, cursor: PageCursor = None) -> dict:
    """A community's early warnings (rising clusters), newest first, with their issues."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("evaluation", "list_alerts", caller_args(caller), community_id, limit,
                    cursor)


def _report(unit: str, unit_id: str, month: str) -> dict:
    return {"unit": unit, "unit_id": unit_id, "month": month}


@router.get("/evaluation/reports/{unit}/{unit_id}/{month}", response_model=MonthReport)
def month_report(unit: ReportUnit, unit_id: PathId, month: Month, caller: CallerDep,
                 rpc: RpcDep) -> dict:
    """A community's or street's month: the three rates, each day, its league, top topics."""
    require(caller, *READERS)
    return rpc.call("evaluation", "month_report", caller_args(caller),
                    _report(unit, unit_id, month))


@router.get("/evaluation/reports/{unit}/{unit_id}/{month}/export")
def month_export(unit: ReportUnit, unit_id: PathId, month: Month, caller: CallerDep,
                 rpc: RpcDep, fmt: ReportFormat = ReportFormat.csv) -> Response:
    """The month as CSV (a row a day) or as one printable HTML page with its charts."""
    require(caller, *READERS)
    got = rpc.call("evaluation", "report_file", caller_args(caller),
                   _report(unit, unit_id, month), fmt.value)
    return Response(got["data"], media_type=got["content_type"],
                    headers={"Cache-Control": "private, no-store"})


@router.get("/evaluation/reports/{unit}/{unit_id}/{month}/charts/{kind}.{fmt}")
def month_chart(unit: ReportUnit, unit_id: PathId, month: Month, kind: ChartKind,
                fmt: Literal["png", "svg"], caller: CallerDep, rpc: RpcDep) -> Response:
    """One chart of the month (trend, ranking, heat) as PNG or SVG, Chinese labels shown."""
    require(caller, *READERS)
    got = rpc.call("evaluation", "report_chart", caller_args(caller),
                   _report(unit, unit_id, month), kind.value, fmt)
    body = base64.b64decode(got["data"]) if got["base64"] else got["data"]
    return Response(body, media_type=got["content_type"],
                    headers={"Cache-Control": "private, no-store"})


@router.post("/evaluation/items/{item_id}/rate", response_model=ItemRatingOut)
def rate_item(item_id: PathId, body: ItemRatingIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Rate a community project, a decision, or a volunteer's or operator's service (1-5)."""
    return rpc.call("evaluation", "rate_item", caller_args(caller), item_id, dump(body))


Year = Annotated[int, Path(ge=2000, le=2100)]


@router.put("/evaluation/communities/{community_id}/three-routes/{year}",
            response_model=ThreeRoutesOut)
def record_three_routes(community_id: PathId, year: Year, body: ThreeRoutesRecordIn,
                        caller: CallerDep, rpc: RpcDep) -> dict:
    """三评议: record the committee's year (online, residents' meeting, public board scores,
    0-100), combined by the community's weights (its admins, its street's and district's)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("evaluation", "record_three_routes", caller_args(caller), community_id,
                    year, dump(body))


@router.get("/evaluation/communities/{community_id}/three-routes/{year}",
            response_model=ThreeRoutesOut)
def three_routes(community_id: PathId, year: Year, caller: CallerDep, rpc: RpcDep) -> dict:
    """The committee's recorded 三评议 for a year."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("evaluation", "three_routes", caller_args(caller), community_id, year)


@router.put("/evaluation/policy/{community_id}/three-route-weights", response_model=PolicyOut)
def set_three_route_weights(community_id: PathId, body: ThreeRouteWeightsIn, caller: CallerDep,
                            rpc: RpcDep) -> dict:
    """The community's weights of the three routes (adding up to 1; default 0.4/0.4/0.2)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("evaluation", "set_three_route_weights", caller_args(caller), community_id,
                    dump(body))
