"""The monthly report of a community or a street: JSON for the console, CSV, the charts as
PNG or SVG, and a one-page HTML report a street can print (charts inline as SVG)."""

from __future__ import annotations

import base64
import csv
import html
import io
from datetime import date, timedelta

from services.common.caller import Caller
from services.common.contracts.evaluation import (
    ChartKind,
    FileOut,
    LeagueQuery,
    MonthReport,
    Period,
    RateName,
    ReportQuery,
    SeriesPoint,
    UnitKind,
)
from services.common.errors import InvalidInput
from services.evaluation import charts, figures, league, leagues, policy

LABELS = {"response_rate": "响应率", "resolution_rate": "解决率", "satisfaction_rate": "满意率"}
CSV_FIELDS = ("day", "response_rate", "resolution_rate", "satisfaction_rate", "response_due",
              "response_on_time", "response_overdue", "response_open_overdue",
              "resolution_due", "resolution_on_time", "resolution_overdue",
              "resolution_open_overdue", "rated", "satisfied", "basically_satisfied",
              "unsatisfied", "not_rated", "reopened", "received", "whistles")


def _month(spec: ReportQuery) -> tuple[date, date]:
    first = date.fromisoformat(f"{spec.month}-01")
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def build(caller: Caller, spec: ReportQuery) -> MonthReport:
    if spec.unit not in (UnitKind.community, UnitKind.street):
        raise InvalidInput("a report is a community's or a street's",
                           {"unit": "community or street"})
    unit = policy.require_figures(caller, spec.unit, spec.unit_id)
    first, last = _month(spec)
    days = [SeriesPoint(start=a, end=b, rates=r)
            for a, b, r in figures.series(unit, first, last, Period.day)]
    within = UnitKind.community if spec.unit is UnitKind.community else UnitKind.street
    kind = UnitKind.grid if spec.unit is UnitKind.community else UnitKind.community
    table = leagues.compute(LeagueQuery(kind=kind, within=spec.unit_id, start=first, end=last,
                                        rate=RateName.satisfaction, min_sample=5), within)
    return MonthReport(unit=spec.unit, unit_id=spec.unit_id, month=spec.month,
                       rates=figures.figures(unit, first, last), days=days, league=table,
                       top_topics=league.top_topics(figures.categories(unit, first, last), 5))


def as_csv(report: MonthReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for point in report.days:
        rates = point.rates.model_dump()
        writer.writerow([point.start.isoformat(), *(rates[f] for f in CSV_FIELDS[1:])])
    return out.getvalue()


def chart(report: MonthReport, kind: ChartKind) -> charts.Chart:
    title = f"{report.unit_id} {report.month}"
    if kind is ChartKind.trend:
        return charts.trend(f"{title} 响应率 / 解决率 / 满意率",
                            [p.start.isoformat() for p in report.days],
                            {label: [getattr(p.rates, name) for p in report.days]
                             for name, label in LABELS.items()})
    rows = report.league.rows if report.league else []
    if kind is ChartKind.ranking:
        ranked = [r for r in rows if r.rank is not None]
        return charts.ranking(f"{title} 满意率排名", [r.unit_id for r in ranked],
                              [r.value for r in ranked],
                              [f"{r.unit_id} (n={r.sample})" for r in rows if r.rank is None])
    topics = [code for code, _ in report.top_topics]
    units = [r.unit_id for r in rows]
    kind_of = report.league.kind.value if report.league else "grid"
    first, last = _month(ReportQuery(unit=report.unit, unit_id=report.unit_id,
                                     month=report.month))
    counts = []
    for unit_id in units:
        cats = figures.categories(f"{kind_of}:{unit_id}", first, last)
        counts.append([cats.get(code, 0) for code in topics])
    return charts.heat(f"{title} 类别 × {'网格' if kind_of == 'grid' else '社区'}", units,
                       topics, counts)


def chart_file(report: MonthReport, kind: ChartKind, fmt: str) -> FileOut:
    drawn = chart(report, kind)
    if fmt == "svg":
        return FileOut(content_type="image/svg+xml", data=drawn.svg)
    return FileOut(content_type="image/png", data=base64.b64encode(drawn.png).decode(),
                   base64=True)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def as_html(report: MonthReport) -> str:
    r = report.rates
    svgs = [chart(report, k).svg.split("?>", 1)[-1] for k in ChartKind]
    rows = "".join(
        f"<tr><td>{html.escape(x.unit_id)}</td><td>{x.rank or '—'}</td><td>{_pct(x.value)}</td>"
        f"<td>{x.sample}</td><td>{'' if x.movement is None else f'{x.movement:+d}'}</td>"
        f"<td>{html.escape(x.note)}</td></tr>" for x in (report.league.rows if report.league
                                                         else []))
    topics = "、".join(f"{html.escape(c)}（{n}）" for c, n in report.top_topics) or "—"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(report.unit_id)} {report.month} 月度评价</title>
<style>body{{font-family:"Noto Sans CJK SC","Noto Sans CJK JP",sans-serif;margin:1.5cm}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:2px 6px;font-size:11px}}
.kpi span{{display:inline-block;margin-right:2em;font-size:18px}}svg{{max-width:100%;height:auto}}
@page{{size:A4;margin:1cm}}</style></head><body>
<h1>{html.escape(report.unit_id)} · {report.month} 月度评价报告</h1>
<p class="kpi"><span>响应率 {_pct(r.response_rate)}</span>
<span>解决率 {_pct(r.resolution_rate)}</span>
<span>满意率 {_pct(r.satisfaction_rate)}</span></p>
<p>应响应 {r.response_due}，超期 {r.response_overdue}（仍未响应 {r.response_open_overdue}）；
应办结 {r.resolution_due}，超期 {r.resolution_overdue}（仍未办结 {r.resolution_open_overdue}）；
评价 {r.rated}，未评价 {r.not_rated}，重办 {r.reopened}；吹哨 {r.whistles}。</p>
<p>本月热点（每月一题）：{topics}</p>
{''.join(svgs)}
<table><tr><th>单位</th><th>名次</th><th>满意率</th><th>样本</th><th>变化</th><th>说明</th></tr>{rows}</table>
</body></html>"""
