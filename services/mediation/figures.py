"""Figures for evaluation's reports and the admins (each reads its own unit: a community
admin its community, a street admin its street, a district admin or ops its district):
the counters the cases' commits move (`MediationCounts`, one read by `_id`), never a
count of documents."""

from __future__ import annotations

from services.common.caller import Caller, Role
from services.common.contracts.mediation import CaseKind, FiguresOut, Outcome
from services.common.errors import InvalidInput, NotFound
from services.mediation.models import MediationCounts

UNITS = {"community": "c", "street": "s", "district": "d"}


def allowed(who: Caller, unit: str, unit_id: str) -> bool:
    if who.role is Role.system:
        return True
    if who.role is Role.community_admin:
        return unit == "community" and unit_id == who.community_id
    if who.role is Role.street_admin:
        return unit == "street" and unit_id == who.street_id
    if who.role in (Role.district_admin, Role.ops):  # ops reads aggregate figures only
        return unit == "district" and unit_id == who.district_id
    return False


def read(who: Caller, unit: str, unit_id: str) -> FiguresOut:
    if unit not in UNITS:
        raise InvalidInput("a unit is a community, street or district",
                           {"unit": "community, street or district"})
    if not allowed(who, unit, unit_id):
        raise NotFound("no such unit", {"unit_id": "unknown"})
    row = MediationCounts._get_collection().find_one({"_id": f"{UNITS[unit]}:{unit_id}"}) or {}
    agreements = int(row.get("agreements") or 0)
    seconds = float(row.get("agreement_seconds") or 0)
    return FiguresOut(
        unit=unit, unit_id=unit_id, cases=int(row.get("cases") or 0),
        by_kind={k.value: int(row.get(f"kind_{k.value}") or 0) for k in CaseKind},
        by_outcome={o.value: int(row.get(f"outcome_{o.value}") or 0) for o in Outcome},
        agreements=agreements,
        mean_days_to_agreement=round(seconds / agreements / 86400, 3) if agreements else None,
        follow_ups_due=int(row.get("follow_ups_due") or 0),
        follow_ups_kept=int(row.get("follow_ups_kept") or 0),
        follow_ups_broken=int(row.get("follow_ups_broken") or 0))
