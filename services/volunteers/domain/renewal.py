"""微更新: a renewal project's pledges, funding and photos, pure.

A renewal is made planned from the approved decision; published (公示) its residents see it
and may pledge; the pledge that brings the money pledged to its budget moves it to funded
(in-kind pledges count towards no budget; a budget of 0 is funded by its first pledge);
only a funded renewal's milestones are done, and the last completes it. Before photos are
taken any time until it is done, after photos once it is funded; residents see the after
photos only once it is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.volunteers import (
    MAX_PHOTOS_PER_PHASE,
    MAX_PLEDGES,
    DonorKind,
    PhotoPhase,
    PledgeIn,
)
from services.common.errors import Conflict, InvalidInput
from services.common.paging import PageQuery, bounds, encode_cursor, page_key

RESIDENT = "居民"  # a resident pledging without a name


def project_id(decision_id: str) -> str:
    """The renewal of a decision: the same id for every delivery of its approval."""
    return f"pj-r-{decision_id}"


def is_funded(budget_yuan: int, pledged_yuan: int, pledges: int) -> bool:
    """Money pledged reaches the budget; a budget of 0 wants a pledge at all."""
    return pledged_yuan >= budget_yuan and (budget_yuan > 0 or pledges > 0)


def mask(name: str | None) -> str:
    """A resident's name as the public sees it: its first character and a star for each of
    the rest (张三 → 张*); no name: 居民."""
    name = (name or "").strip()
    if not name:
        return RESIDENT
    return name[0] + "*" * max(len(name) - 1, 1)


def donor_shown(row: Mapping[str, Any], full: bool) -> str:
    """The donor's name for a reader: a merchant's always (a partner's public good is
    named); a resident's masked unless they chose to show it or `full` (their admins, or
    themselves)."""
    if row.get("donor_kind") == DonorKind.merchant.value:
        return row.get("donor_name") or ""
    if full or row.get("show_name"):
        return row.get("donor_name") or RESIDENT
    return mask(row.get("donor_name"))


def pledge_row(project_id: str, pledge_id: str, spec: PledgeIn, account_id: str | None,
               now: float) -> dict[str, Any]:
    return {"id": pledge_id, "key": page_key(f"pj:{project_id}", now, pledge_id),
            "donor_kind": spec.donor_kind.value, "account_id": account_id,
            "merchant_id": spec.merchant_id, "donor_name": spec.donor_name,
            "show_name": spec.show_name, "amount_yuan": spec.amount_yuan,
            "in_kind": spec.in_kind, "pledged_ts": now}


def _renewal(project: Any) -> None:
    if (project.kind or "project") != "renewal":
        raise Conflict("only a renewal takes pledges and photos", {"project_id": "not a renewal"})


def pledge(project: Any, row: dict[str, Any], now: float) -> Decision:
    """One pledge more; the one that reaches the budget moves the renewal to funded."""
    _renewal(project)
    if project.state == "planned":
        raise Conflict("publish the renewal first (公示)", {"project_id": "not published"})
    if project.state == "completed":
        raise Conflict("the renewal is done", {"project_id": "completed"})
    pledges = list(project.pledges or [])
    if len(pledges) >= MAX_PLEDGES:
        raise Conflict("the renewal has all the pledges it may have",
                       {"pledges": f"at most {MAX_PLEDGES}"})
    total = int(project.pledged_yuan or 0) + int(row.get("amount_yuan") or 0)
    changes: dict[str, Any] = {"pledges": [*pledges, row], "pledged_yuan": total}
    if project.state == "published" and is_funded(int(project.budget_yuan or 0), total,
                                                  len(pledges) + 1):
        changes |= {"state": "funded", "funded_ts": now}
    return Decision(changes=changes)


def add_photo(project: Any, phase: PhotoPhase, photo_id: str, now: float) -> Decision:
    _renewal(project)
    if phase is PhotoPhase.after and project.state not in ("funded", "completed"):
        raise Conflict("after photos come once the renewal is funded",
                       {"phase": f"the renewal is {project.state}"})
    if phase is PhotoPhase.before and project.state == "completed":
        raise Conflict("the renewal is done: its before photos are taken",
                       {"phase": "completed"})
    photos = list(project.photos or [])
    if sum(1 for p in photos if p.get("phase") == phase.value) >= MAX_PHOTOS_PER_PHASE:
        raise Conflict("the renewal has all the photos it may have",
                       {"file": f"at most {MAX_PHOTOS_PER_PHASE} {phase.value} photos"})
    return Decision(changes={"photos": [*photos, {"id": photo_id, "phase": phase.value,
                                                  "ts": now}]})


def photo_ids(project: Any, phase: str, admin: bool) -> list[str]:
    """The photos of a phase a reader sees (after photos: residents once it is done)."""
    if phase == PhotoPhase.after.value and not admin and project.state != "completed":
        return []
    return [p["id"] for p in project.photos or [] if p.get("phase") == phase]


def page(rows: Iterable[Mapping[str, Any]], scope: str,
         query: PageQuery) -> tuple[list[Mapping[str, Any]], str | None]:
    """Newest first, `query.limit` at a time, after the cursor: the listing's own page over
    rows kept in the document (the same cursor form as the store's lists)."""
    rng = bounds(scope, query.cursor)
    kept = sorted((r for r in rows if rng["$gte"] <= r["key"] < rng["$lt"]),
                  key=lambda r: r["key"], reverse=True)
    more = len(kept) > query.limit
    kept = kept[:query.limit]
    return kept, (encode_cursor(kept[-1]["key"]) if more and kept else None)


def check_phase(phase: str) -> PhotoPhase:
    try:
        return PhotoPhase(phase)
    except ValueError:
        raise InvalidInput("no such phase", {"phase": "before or after"}) from None
