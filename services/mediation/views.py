"""Who sees what of a case (privacy): the parties' details only to the case's mediator and
its community's admin; a party sees their own row, the others' consent and signature, the
meetings and the agreement to sign; whoever filed it (a grid worker) sees where it stands.
Anyone else, street and district admins included, gets the 404 of a missing case: nothing
of a case is in a public list (figures are counters, `figures.py`)."""

from __future__ import annotations

from typing import Any

from services.common import access
from services.common.caller import Caller, Role
from services.common.contracts.mediation import CaseOut, MeetingOut, PartyOut
from services.common.errors import NotFound
from services.mediation.models import MediationCase

FULL, PARTY, FILER = "full", "party", "filer"


def privileged(who: Caller, case: MediationCase) -> bool:
    """The case's mediator, or its community's admin (and the system)."""
    if access.is_admin_of(who, case):
        return True
    return (who.district_id == case.district_id and bool(case.mediator_id)
            and who.user_id == case.mediator_id)


def own_party(who: Caller, case: MediationCase) -> dict | None:
    if who.district_id != case.district_id or who.community_id != case.community_id:
        return None
    return next((dict(p) for p in case.parties if p.get("account_id") == who.user_id), None)


def level(who: Caller, case: MediationCase) -> str:
    if privileged(who, case):
        return FULL
    if own_party(who, case) is not None:
        return PARTY
    if (who.role is Role.grid_worker and who.user_id == case.opened_by
            and who.community_id == case.community_id):
        return FILER
    raise NotFound("no such case", {"case_id": "unknown"})


def find(who: Caller, case_id: str) -> tuple[MediationCase, str]:
    case = MediationCase.objects(id=str(case_id)).first()
    if case is None:
        raise NotFound("no such case", {"case_id": "unknown"})
    return case, level(who, case)


def _party(row: dict, shown: str, mine: bool) -> PartyOut:
    if shown == FULL or mine:
        return PartyOut(party_id=row["party_id"], name=row.get("name"),
                        account_id=row.get("account_id"), phone=row.get("phone"),
                        address=row.get("address"), consent=row.get("consent"),
                        signed=bool(row.get("signed")))
    if shown == PARTY:
        return PartyOut(party_id=row["party_id"], consent=row.get("consent"),
                        signed=bool(row.get("signed")))
    return PartyOut(party_id=row["party_id"])


def _meeting(row: dict, shown: str) -> MeetingOut:
    out = MeetingOut(**{k: row.get(k) for k in ("meeting_id", "starts_ts", "ends_ts",
                                                 "hall_id", "placement", "booking_error")},
                     place_note=row.get("place_note") or "", held=bool(row.get("held")))
    if shown == FULL:
        out.summary, out.attended = row.get("summary"), list(row.get("attended") or [])
    return out


def view(who: Caller, case: MediationCase, shown: str | None = None) -> dict[str, Any]:
    shown = shown or level(who, case)
    mine = own_party(who, case)
    ratings = len(case.rating_ids or [])
    out = CaseOut(
        id=case.id, community_id=case.community_id, kind=case.kind, source=case.source,
        state=case.state, outcome=case.outcome, issue_id=case.issue_id,
        summary=case.summary if shown == FULL else None,
        parties=[_party(dict(p), shown, bool(mine) and p["party_id"] == mine["party_id"])
                 for p in case.parties],
        mediator_id=case.mediator_id if shown != FILER else None,
        mediator_search=case.mediator_search,
        meetings=[_meeting(dict(m), shown) for m in case.meetings] if shown != FILER else [],
        agreement_text=case.agreement_text if shown != FILER else None,
        follow_up_ts=case.follow_up_ts, follow_up_fired_ts=case.follow_up_fired_ts,
        follow_up_kept=case.follow_up_kept, referral_to=case.referral_to, ratings=ratings,
        mean_rating=round(case.rating_total / ratings, 2) if ratings else None,
        created_ts=case.created_ts, agreed_ts=case.agreed_ts, closed_ts=case.closed_ts,
        version=case.version)
    return out.model_dump(mode="json")
