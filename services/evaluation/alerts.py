"""Early warning (精准研判预警), incrementally: each new issue checks its own grid and
category against that cell's trailing baseline (one range read of the grid's 35 days of
buckets); a rising cluster raises one alert per grid, category and week, with the issues
behind it, and `warning.raised` tells the community's and the street's admins."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, Caller, Role, Scope
from services.common.contracts.evaluation import AlertOut, WarningRaised
from services.common.errors import NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.evaluation import figures, league, policy
from services.evaluation.domain import LOCAL, Case, address_key
from services.evaluation.models import Alert, RecentIssue

WINDOW_DAYS = 7
BASELINE_WINDOWS = 4
ISSUES_BEHIND = 50
REPEAT = "repeat_address"  # the alert's category when one place keeps reporting


def _day(ts: float) -> date:
    return datetime.fromtimestamp(ts, LOCAL).date()


REPEAT_DAYS = 30
REPEAT_MIN = 3  # issues from one address within REPEAT_DAYS


def note_issue(case: Case, at: float, address: str | None = None) -> None:
    cells = []
    if case.grid_id and case.category:
        cells.append((case.grid_id, case.category))
    if key := address_key(address):
        cells.append((f"{case.community_id}.{key}", REPEAT))
    for cell, category in cells:
        key = f"{cell}|{category}|{_day(at).isoformat()}|{case.id}"
        RecentIssue._get_collection().update_one({"_id": key}, {"$set": {"key": key}},
                                                 upsert=True)


def check_address(case: Case, at: float, address: str | None) -> Alert | None:
    """A repeat address: REPEAT_MIN issues from one place within REPEAT_DAYS."""
    key = address_key(address)
    if key is None:
        return None
    today = _day(at)
    found = figures.day_buckets(f"address:{case.community_id}.{key}",
                                today - timedelta(days=REPEAT_DAYS - 1), today)
    count = sum(int((row.get("c") or {}).get("received", 0)) for row in found.values())
    if count < REPEAT_MIN:
        return None
    cell = f"{case.community_id}.{key}"
    return _raise(case, league.Warning(cell, REPEAT, count, 0.0, None), today, at,
                  grid=cell, category=REPEAT, since_days=REPEAT_DAYS)


def check(case: Case, at: float) -> Alert | None:
    """The warning for the new issue's cell, raised if it is a rising cluster."""
    if not (case.grid_id and case.category):
        return None
    today = _day(at)
    first = today - timedelta(days=WINDOW_DAYS * (BASELINE_WINDOWS + 1) - 1)
    found = figures.day_buckets(f"grid:{case.grid_id}", first, today)
    per_day = {d: int(((row.get("c") or {}).get("cat") or {}).get(case.category, 0))
               for d, row in found.items()}

    def window(n: int) -> int:  # n = 0: the last 7 days; 1..4: the weeks before
        last = today - timedelta(days=WINDOW_DAYS * n)
        return sum(per_day.get((last - timedelta(days=k)).isoformat(), 0)
                   for k in range(WINDOW_DAYS))

    cell = (case.grid_id, case.category)
    fired = league.warnings({cell: window(0)},
                            {cell: [window(n) for n in range(1, BASELINE_WINDOWS + 1)]})
    if not fired:
        return None
    return _raise(case, fired[0], today, at)


def _raise(case: Case, warning: league.Warning, today: date, at: float,
           grid: str | None = None, category: str | None = None,
           since_days: int = WINDOW_DAYS) -> Alert | None:
    grid, category = grid or case.grid_id, category or case.category
    monday = today - timedelta(days=today.weekday())
    alert_id = f"{grid}:{category}:{monday.isoformat()}"
    since = (today - timedelta(days=since_days - 1)).isoformat()
    prefix = f"{grid}|{category}|"
    rows = RecentIssue._get_collection().find(
        {"key": {"$gte": prefix + since, "$lt": prefix + "~"}}, {"_id": 1}).sort(
        "key", 1).limit(ISSUES_BEHIND)
    issue_ids = [r["_id"].rsplit("|", 1)[1] for r in rows]

    def load() -> Alert:
        return Alert.objects(id=alert_id).first() or Alert(
            id=alert_id, community_id=case.community_id, grid_id=grid, category=category)

    def decide(doc: Alert, now: datetime) -> Decision | None:
        if not doc._created:
            return None  # raised already this week
        return Decision(
            changes={"street_id": case.street_id, "recent": warning.recent,
                     "baseline": warning.baseline, "issue_ids": issue_ids, "raised_ts": at,
                     "page_key": page_key(f"alerts:{case.community_id}", at, alert_id)},
            events=[WarningRaised(alert_id=alert_id, community_id=case.community_id,
                                  street_id=case.street_id, grid_id=grid,
                                  category=category, recent=warning.recent,
                                  baseline=warning.baseline, issue_ids=issue_ids)])

    done = change(load, decide, Caller.system())
    return done.doc if done.decision is not None else None


def view(doc: Alert) -> AlertOut:
    return AlertOut(id=doc.id, community_id=doc.community_id, street_id=doc.street_id,
                    grid_id=doc.grid_id, category=doc.category, recent=doc.recent or 0,
                    baseline=doc.baseline or 0.0, issue_ids=list(doc.issue_ids or []),
                    raised_at=doc.raised_ts or 0.0)


def listing(caller: Caller, community_id: str, query: PageQuery) -> tuple[list[AlertOut],
                                                                            str | None]:
    """A community's alerts, newest first: its admins, its street's and its district's."""
    caller.require_role(*ADMIN_ROLES)
    scope: Scope | None = policy.community_scope(community_id)
    if scope is None or not caller.sees(scope):
        raise NotFound("no such community", {"community_id": "unknown"})
    docs, cursor = fetch(Alert.objects, "page_key", f"alerts:{community_id}", query)
    return [view(d) for d in docs], cursor


__all__ = ["Role", "check", "listing", "note_issue"]
