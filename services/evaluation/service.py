"""Evaluation service (评 · 三率): ratings of the people served, the three rates per unit
and day, and their reports. It consumes intake's and dispatch's events and owns none of
their records; the class only wires dependencies, timers and thin entrypoints."""

from __future__ import annotations

from typing import Literal

from nameko.rpc import rpc
from nameko.timer import timer
from pydantic import BaseModel, ConfigDict

from services.common.contracts.evaluation import (
    AlertOut,
    ChartKind,
    CommitteeYear,
    FiguresOut,
    FiguresQuery,
    FileOut,
    ItemRatingIn,
    ItemRatingOut,
    League,
    LeagueQuery,
    MonthReport,
    PolicyOut,
    RatingIn,
    RatingOut,
    RatingWindowOut,
    ReportFormat,
    ReportQuery,
    SeriesOut,
    SeriesPoint,
    SeriesQuery,
    ThreeRoutesOut,
    ThreeRoutesRecordIn,
    ThreeRouteWeightsIn,
    WindowIn,
)
from services.common.contracts.types import Id
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.paging import Page, PageQuery
from services.common.rpc import as_caller, parse, replies
from services.common.store import Store
from services.common.timers import poll_timer
from services.evaluation import (
    alerts,
    committee,
    figures,
    leagues,
    metrics,
    policy,
    ratings,
    reports,
    scheduler,
)
from services.evaluation.handlers import EventHandlers
from services.evaluation.models import DOCUMENTS

GAUGE_REFRESH_SECONDS = 60
SWEEP_SECONDS = 30


class EvaluationService(EventHandlers):
    name = "evaluation"
    store = Store("evaluation", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()

    @rpc
    @replies(RatingOut)
    def rate_issue(self, caller: dict, issue_id: str, data: dict) -> RatingOut:
        """A person served rates a resolved issue: satisfied / basically / unsatisfied."""
        return ratings.rate(as_caller(caller), issue_id, parse(RatingIn, data))

    @rpc
    @replies(RatingWindowOut)
    def rating_window(self, caller: dict, issue_id: str) -> RatingWindowOut:
        """Whether an issue awaits its rating (read-only)."""
        return ratings.window(as_caller(caller), issue_id)

    @rpc
    @replies(PolicyOut)
    def get_policy(self, caller: dict, community_id: str) -> PolicyOut:
        """The community's rating window and 三评议 weights (the defaults if never set)."""
        return policy.read(as_caller(caller), community_id)

    @rpc
    @replies(PolicyOut)
    def set_policy(self, caller: dict, community_id: str, data: dict) -> PolicyOut:
        """The community's rating window (days after resolution; default 7)."""
        spec = parse(WindowIn, data)
        return policy.set_window(as_caller(caller), community_id, spec.window_days)

    @rpc
    @replies(PolicyOut)
    def set_three_route_weights(self, caller: dict, community_id: str, data: dict) -> PolicyOut:
        """The community's weights of the 三评议 routes (adding up to 1)."""
        spec = parse(ThreeRouteWeightsIn, data)
        return policy.set_weights(as_caller(caller), community_id, spec.weights)

    @rpc
    @replies(FiguresOut)
    def figures(self, caller: dict, query: dict) -> FiguresOut:
        """One unit's three rates and their parts over a range of days (at most 366)."""
        who = as_caller(caller)
        spec = parse(FiguresQuery, query)
        unit = policy.require_figures(who, spec.unit, spec.unit_id)
        return FiguresOut(unit=spec.unit, unit_id=spec.unit_id, start=spec.start, end=spec.end,
                          days=(spec.end - spec.start).days + 1,
                          rates=figures.figures(unit, spec.start, spec.end))

    @rpc
    @replies(SeriesOut)
    def series(self, caller: dict, query: dict) -> SeriesOut:
        """The same per day, week or month across the range (a chart's points)."""
        who = as_caller(caller)
        spec = parse(SeriesQuery, query)
        unit = policy.require_figures(who, spec.unit, spec.unit_id)
        points = [SeriesPoint(start=a, end=b, rates=r)
                  for a, b, r in figures.series(unit, spec.start, spec.end, spec.period)]
        return SeriesOut(unit=spec.unit, unit_id=spec.unit_id, period=spec.period,
                         points=points)

    @rpc
    @replies(League)
    def rank_units(self, caller: dict, query: dict) -> League:
        """A league within a unit whose figures the caller may read (minimum sample,
        shared ranks named, movement since the period before)."""
        return leagues.rank_units(as_caller(caller), parse(LeagueQuery, query))

    @rpc
    @replies(League)
    def publish_league(self, caller: dict, query: dict) -> League:
        """The district publishes a league for its community and street admins."""
        return leagues.publish(as_caller(caller), parse(LeagueQuery, query))

    @rpc
    @replies(League)
    def withdraw_league(self, caller: dict, publication_id: str) -> League:
        """The district withdraws a league it published: nobody below it sees it any more."""
        return leagues.withdraw(as_caller(caller), parse(_Publication,
                                                         {"id": publication_id}).id)

    @rpc
    @replies(Page[League])
    def published_leagues(self, caller: dict, limit: int = 20,
                          cursor: str | None = None) -> Page[League]:
        items, after = leagues.published(as_caller(caller),
                                         parse(PageQuery, {"limit": limit, "cursor": cursor}))
        return Page[League](items=items, next_cursor=after)

    @rpc
    @replies(Page[AlertOut])
    def list_alerts(self, caller: dict, community_id: str, limit: int = 20,
                    cursor: str | None = None) -> Page[AlertOut]:
        """A community's early warnings, newest first, with the issues behind each."""
        items, after = alerts.listing(as_caller(caller), community_id,
                                      parse(PageQuery, {"limit": limit, "cursor": cursor}))
        return Page[AlertOut](items=items, next_cursor=after)

    @rpc
    @replies(MonthReport)
    def month_report(self, caller: dict, query: dict) -> MonthReport:
        return reports.build(as_caller(caller), parse(ReportQuery, query))

    @rpc
    @replies(FileOut)
    def report_file(self, caller: dict, query: dict, fmt: str) -> FileOut:
        """The month's report as CSV (one row a day) or one printable HTML page."""
        chosen = parse(_Format, {"fmt": fmt}).fmt
        report = reports.build(as_caller(caller), parse(ReportQuery, query))
        if chosen is ReportFormat.csv:
            return FileOut(content_type="text/csv; charset=utf-8", data=reports.as_csv(report))
        if chosen is ReportFormat.html:
            return FileOut(content_type="text/html; charset=utf-8",
                           data=reports.as_html(report))
        return FileOut(content_type="application/json", data=report.model_dump_json())

    @rpc
    @replies(FileOut)
    def report_chart(self, caller: dict, query: dict, kind: str, fmt: str) -> FileOut:
        """One chart of the month's report, PNG (base64) or SVG, Chinese labels shown."""
        chosen = parse(_Chart, {"kind": kind, "fmt": fmt})
        report = reports.build(as_caller(caller), parse(ReportQuery, query))
        return reports.chart_file(report, chosen.kind, chosen.fmt)

    @rpc
    @replies(ItemRatingOut)
    def rate_item(self, caller: dict, item_id: str, data: dict) -> ItemRatingOut:
        """A resident rates a project, decision or service another service sent (1-5)."""
        return ratings.rate_item(as_caller(caller), item_id, parse(ItemRatingIn, data))

    @rpc
    @replies(ThreeRoutesOut)
    def record_three_routes(self, caller: dict, community_id: str, year: int,
                            data: dict) -> ThreeRoutesOut:
        """三评议: record a committee's year (online, meeting, board scores), combined by
        the community's weights."""
        when = parse(CommitteeYear, {"year": year}).year
        return committee.record(as_caller(caller), community_id, when,
                                parse(ThreeRoutesRecordIn, data))

    @rpc
    @replies(ThreeRoutesOut)
    def three_routes(self, caller: dict, community_id: str, year: int) -> ThreeRoutesOut:
        """A committee's recorded 三评议 for a year."""
        when = parse(CommitteeYear, {"year": year}).year
        return committee.read(as_caller(caller), community_id, when)

    @poll_timer()
    def fire_deadlines(self) -> None:
        """Overdue and not-rated are counted when the deadline passes (exactly once)."""
        scheduler.run_due()

    @timer(interval=SWEEP_SECONDS, eager=True)
    def sweep(self) -> None:
        """Counter moves a crash left between a case's commit and its buckets."""
        scheduler.sweep_pending()

    @timer(interval=GAUGE_REFRESH_SECONDS, eager=True)
    def refresh_gauges(self) -> None:
        metrics.refresh()


class _Publication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Id


class _Format(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fmt: ReportFormat


class _Chart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ChartKind
    fmt: Literal["png", "svg"]
