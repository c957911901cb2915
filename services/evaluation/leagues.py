"""Leagues (rankings) from the buckets, who may see which, and the district's publications.

A league reads, for each peer unit (at most MAX_LEAGUE, listed by one indexed key), the
buckets of the period and of the period before it (at most MAX_LEAGUE_DAYS each): bounded,
and never a scan of history. A community admin may rank their own grids; their peers'
(the street's or district's communities) they see only as the district publishes them.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, Caller, Role, Scope
from services.common.contracts.evaluation import (
    MAX_LEAGUE,
    League,
    LeagueQuery,
    LeagueRow,
    RankingPublished,
    RankingWithdrawn,
    RateName,
    UnitKind,
)
from services.common.errors import Conflict, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.evaluation import figures, league
from services.evaluation.models import Publication, UnitScope

# kind ranked → the kinds of unit it may be ranked within
WITHIN = {UnitKind.grid: (UnitKind.community,),
          UnitKind.community: (UnitKind.street, UnitKind.district),
          UnitKind.street: (UnitKind.district,),
          UnitKind.department: (UnitKind.community, UnitKind.district)}
SAMPLE = {RateName.response: "response_due", RateName.resolution: "resolution_due",
          RateName.satisfaction: "rated"}


def _scope(unit: str) -> tuple[Scope, UnitScope]:
    doc = UnitScope.objects(id=unit).first()
    if doc is None or not doc.district_id:
        raise NotFound("no such unit", {"within": "unknown"})
    return Scope(district_id=doc.district_id, street_id=doc.street_id,
                 community_id=doc.community_id), doc


def _within_kind(spec: LeagueQuery) -> UnitKind:
    for kind in WITHIN[spec.kind]:
        if UnitScope.objects(id=f"{kind.value}:{spec.within}").only("id").first() is not None:
            return kind
    raise NotFound("no such unit", {"within": "unknown"})


def peers(kind: UnitKind, within_kind: UnitKind, within: str) -> list[str]:
    """The ids of the `kind` units of `within`, by their one listing key, bounded."""
    field = "district_key" if within_kind is UnitKind.district and kind in (
        UnitKind.community, UnitKind.department) else "parent_key"
    rows = UnitScope._get_collection().find({field: f"{kind.value}|{within}"},
                                            {"_id": 1}).limit(MAX_LEAGUE)
    return sorted(r["_id"].split(":", 1)[1] for r in rows)


def compute(spec: LeagueQuery, within_kind: UnitKind) -> League:
    length = (spec.end - spec.start).days + 1
    before = (spec.start - timedelta(days=length), spec.start - timedelta(days=1))
    units = peers(spec.kind, within_kind, spec.within)
    value = f"{spec.rate.value}_rate"

    def entries(start, end) -> list[league.Entry]:
        out = []
        for unit_id in units:
            rates = figures.figures(f"{spec.kind.value}:{unit_id}", start, end)
            out.append(league.Entry(unit_id, getattr(rates, value),
                                    getattr(rates, SAMPLE[spec.rate])))
        return out

    previous = {r.unit: r.rank for r in league.rank(entries(*before), spec.min_sample)
                if r.rank is not None}
    ranked = league.rank(entries(spec.start, spec.end), spec.min_sample, previous)
    return League(kind=spec.kind, within=spec.within, within_kind=within_kind, rate=spec.rate,
                  start=spec.start, end=spec.end, min_sample=spec.min_sample,
                  rows=[LeagueRow(unit_id=r.unit, value=r.value, sample=r.sample, rank=r.rank,
                                  movement=r.movement, note=r.note) for r in ranked])


def rank_units(caller: Caller, spec: LeagueQuery) -> League:
    """A league the caller may see directly: within a unit whose figures they may read
    (a community admin: their community's grids; a street admin: their street's)."""
    caller.require_role(*ADMIN_ROLES, Role.ops)
    within_kind = _within_kind(spec)
    scope, _ = _scope(f"{within_kind.value}:{spec.within}")
    if not caller.sees_figures(scope):
        raise NotFound("no such unit", {"within": "unknown"})
    return compute(spec, within_kind)


def publication_id(spec: LeagueQuery, within_kind: UnitKind) -> str:
    """One publication per league and period: publishing it again refreshes it."""
    what = (f"{spec.kind.value}|{within_kind.value}|{spec.within}|{spec.rate.value}|"
            f"{spec.start.isoformat()}|{spec.end.isoformat()}")
    return "pub-" + hashlib.sha1(what.encode()).hexdigest()[:16]


def _shown(doc: Publication) -> League:
    return League.model_validate(doc.league).model_copy(update={
        "publication_id": doc.id, "withdrawn_at": doc.withdrawn_ts if doc.withdrawn else None})


def publish(caller: Caller, spec: LeagueQuery) -> League:
    """The district publishes a league: from then on its community and street admins see it
    (again, if it was withdrawn). The state and `ranking.published` are one write."""
    caller.require_role(Role.district_admin)
    within_kind = _within_kind(spec)
    scope, _ = _scope(f"{within_kind.value}:{spec.within}")
    if not caller.sees(scope):
        raise NotFound("no such unit", {"within": "unknown"})
    now = time.time()
    pub_id = publication_id(spec, within_kind)
    made = compute(spec, within_kind).model_copy(update={"published_at": now})

    def load() -> Publication:
        doc = Publication.objects(id=pub_id).first()
        return doc if doc is not None else Publication(id=pub_id, district_id=scope.district_id)

    def decide(_doc: Publication, _now: datetime) -> Decision:
        return Decision(
            changes={"page_key": page_key(f"pub:{scope.district_id}", now, pub_id),
                     "league": made.model_dump(mode="json"), "published_ts": now,
                     "withdrawn": False, "withdrawn_ts": None, "withdrawn_by": None},
            events=[RankingPublished(publication_id=pub_id, district_id=scope.district_id,
                                     kind=spec.kind, within=spec.within, rate=spec.rate,
                                     start=spec.start, end=spec.end)])

    shown = {"kind": spec.kind, "within": spec.within, "rate": spec.rate, "start": spec.start,
             "end": spec.end, "withdrawn": False}
    return _shown(change(load, audit.audited(decide, caller, "league.publish",
                                             "league_publication", before={}, after=shown),
                         caller).doc)


def withdraw(caller: Caller, pub_id: str) -> League:
    """The district withdraws a published league: it leaves every admin's listing at once
    (its key moves out of the listing's range), with `ranking.withdrawn` in the same write.
    Another district's publication answers the 404 of a made-up one."""
    caller.require_role(Role.district_admin)
    now = time.time()

    def load() -> Publication:
        doc = Publication.objects(id=pub_id).first()
        if doc is None or not caller.sees(Scope(district_id=doc.district_id)):
            raise NotFound("no such publication", {"publication_id": "unknown"})
        return doc

    def decide(doc: Publication, _now: datetime) -> Decision:
        if doc.withdrawn:
            raise Conflict("already withdrawn", {"publication_id": "already withdrawn"},
                           detail={"state": "withdrawn"})
        return Decision(
            changes={"withdrawn": True, "withdrawn_ts": now, "withdrawn_by": caller.user_id,
                     "page_key": page_key(f"pub-withdrawn:{doc.district_id}", now, doc.id)},
            events=[RankingWithdrawn(publication_id=doc.id, district_id=doc.district_id)])

    decide = audit.audited(decide, caller, "league.withdraw", "league_publication",
                           before={"withdrawn": False}, after={"withdrawn": True})

    return _shown(change(load, decide, caller).doc)


def published(caller: Caller, query: PageQuery) -> tuple[list[League], str | None]:
    """The leagues the caller's district published and has not withdrawn, newest first
    (every admin of it)."""
    caller.require_role(*ADMIN_ROLES, Role.ops)
    docs, cursor = fetch(Publication.objects, "page_key", f"pub:{caller.district_id}", query)
    return [_shown(d) for d in docs], cursor
