"""The case state machine (矛盾纠纷调解) as pure functions: each reads a case, is given the
clock, and returns the Decision (changes, events) or raises a DomainError with the field.

    open ──(mediator accepted + every party consents)──▶ mediating
    mediating ──propose──▶ agreement_pending ──(every party signed)──▶ agreed
    agreed ──(follow-up date, PollTimer, once)──▶ follow_up_due ──record──▶ closed
    open | mediating | agreement_pending ──refer──▶ referred; ──close──▶ closed (no agreement)

No meeting without the consent of every party and an accepted mediator; no agreement
without a held meeting. No I/O here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.evaluation import EvaluationItemOpened, ItemKind
from services.common.contracts.mediation import (
    MAX_MEETINGS,
    CaseAgreed,
    CaseClosed,
    CaseFollowUpDue,
    CaseState,
    MediatorRequested,
    Outcome,
    Placement,
)
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.paging import page_key

ACTIVE = (CaseState.open, CaseState.mediating, CaseState.agreement_pending)
RATE_DAYS = 14


def _state(case: Any) -> CaseState:
    return CaseState(case.state)


def _parties(case: Any) -> list[dict]:
    return [dict(p) for p in case.parties]


def party(case: Any, party_id: str) -> dict:
    found = next((p for p in case.parties if p["party_id"] == party_id), None)
    if found is None:
        raise NotFound("no such party", {"party_id": "unknown"})
    return dict(found)


def ready(parties: list[dict], mediator_id: str | None) -> bool:
    """Meetings may be held: a mediator, and every party consented."""
    return bool(mediator_id) and all(p.get("consent") is True for p in parties)


def _settled(state: CaseState, parties: list[dict], mediator_id: str | None) -> str:
    """open ⇄ mediating follows consent and the mediator; later states stay."""
    if state in (CaseState.open, CaseState.mediating):
        return (CaseState.mediating if ready(parties, mediator_id) else CaseState.open).value
    return state.value


def request_mediator(case: Any) -> Decision:
    """Ask volunteers for a mediator (a new request each time: `<case>-<n>`)."""
    if _state(case) not in ACTIVE:
        raise Conflict("the case is over", {"state": case.state})
    if case.mediator_id:
        raise Conflict("the case has its mediator", {"mediator_id": "assigned"})
    n = (case.requests or 0) + 1
    event = MediatorRequested(request_id=f"{case.id}-{n}", case_id=case.id,
                              community_id=case.community_id, district_id=case.district_id,
                              street_id=case.street_id, grid_id=case.grid_id)
    return Decision(changes={"requests": n, "mediator_search": "requested"}, events=[event])


def mediator_accepted(case: Any, match_id: str, mediator_id: str) -> Decision | None:
    """`match.accepted` for the case: the first accepted mediator is the case's."""
    if case.mediator_id or _state(case) not in ACTIVE:
        return None  # redelivered, or a later acceptance of an old request
    return Decision(changes={"mediator_id": mediator_id, "match_id": match_id,
                             "mediator_search": "accepted",
                             "state": _settled(_state(case), _parties(case), mediator_id)})


def search_ended(case: Any, outcome: str) -> Decision | None:
    """`match.offered` / `match.exhausted`: where the search stands (no mediator yet)."""
    if case.mediator_id or case.mediator_search == outcome or _state(case) not in ACTIVE:
        return None
    return Decision(changes={"mediator_search": outcome})


def consent(case: Any, party_id: str, given: bool, now: float) -> Decision | None:
    if _state(case) not in (CaseState.open, CaseState.mediating):
        raise Conflict("consent is taken before the agreement", {"state": case.state})
    parties = _parties(case)
    row = next(p for p in parties if p["party_id"] == party(case, party_id)["party_id"])
    if row.get("consent") is given:
        return None
    row["consent"], row["consent_ts"] = given, now
    return Decision(changes={"parties": parties,
                             "state": _settled(_state(case), parties, case.mediator_id)})


def set_party(case: Any, party_id: str, fields: dict) -> Decision:
    if _state(case) not in (CaseState.open, CaseState.mediating):
        raise Conflict("parties are set before the agreement", {"state": case.state})
    parties = _parties(case)
    row = next(p for p in parties if p["party_id"] == party(case, party_id)["party_id"])
    others = {p.get("account_id") for p in parties if p is not row} - {None}
    if fields.get("account_id") and fields["account_id"] in others:
        raise InvalidInput("an account is one party", {"account_id": "another party's"})
    if fields.get("account_id") != row.get("account_id"):
        row["consent"], row["consent_ts"] = None, None  # the new person answers
    row.update(fields)
    return Decision(changes={"parties": parties,
                             "state": _settled(_state(case), parties, case.mediator_id)})


def schedule(case: Any, meeting_id: str, hall_id: str | None, starts_ts: float, ends_ts: float,
             place_note: str) -> Decision:
    if _state(case) is not CaseState.mediating:
        fields = ({"consent": "every party must consent"}
                  if not all(p.get("consent") is True for p in case.parties)
                  else {"mediator_id": "no mediator yet"} if not case.mediator_id
                  else {"state": case.state})
        raise Conflict("no meeting before a mediator and the consent of every party", fields)
    if len(case.meetings) >= MAX_MEETINGS:
        raise Conflict("too many meetings", {"meetings": f"at most {MAX_MEETINGS}"})
    meeting = {"meeting_id": meeting_id, "hall_id": hall_id, "starts_ts": starts_ts,
               "ends_ts": ends_ts, "place_note": place_note, "held": False,
               "placement": (Placement.pending if hall_id else Placement.unplaced).value,
               "booking_error": None if hall_id else "no hall named", "summary": None,
               "attended": []}
    return Decision(changes={"meetings": [*map(dict, case.meetings), meeting]})


def placed(case: Any, meeting_id: str, ok: bool, error: str | None) -> Decision | None:
    """The booking's answer (or its failure: the meeting stays, unplaced)."""
    meetings = [dict(m) for m in case.meetings]
    row = next((m for m in meetings if m["meeting_id"] == meeting_id), None)
    if row is None or row["placement"] != Placement.pending.value:
        return None
    row["placement"] = (Placement.placed if ok else Placement.unplaced).value
    row["booking_error"] = None if ok else (error or "not booked")[:200]
    return Decision(changes={"meetings": meetings})


def record(case: Any, meeting_id: str, summary: str, attended: list[str], now: float) -> Decision:
    if _state(case) not in (CaseState.mediating, CaseState.agreement_pending):
        raise Conflict("the case is not being mediated", {"state": case.state})
    meetings = [dict(m) for m in case.meetings]
    row = next((m for m in meetings if m["meeting_id"] == meeting_id), None)
    if row is None:
        raise NotFound("no such meeting", {"meeting_id": "unknown"})
    if row["starts_ts"] > now:
        raise Conflict("the meeting has not started", {"meeting_id": "in the future"})
    known = {p["party_id"] for p in case.parties}
    if not set(attended) <= known:
        raise InvalidInput("attended names parties of the case", {"attended": "unknown party"})
    row.update(held=True, summary=summary, attended=list(dict.fromkeys(attended)))
    return Decision(changes={"meetings": meetings})


def propose(case: Any, text: str, follow_up_ts: float, now: float) -> Decision:
    if _state(case) not in (CaseState.mediating, CaseState.agreement_pending):
        raise Conflict("an agreement comes from mediation", {"state": case.state})
    if not any(m.get("held") for m in case.meetings):
        raise Conflict("no agreement before a meeting is held", {"meetings": "none held"})
    if follow_up_ts <= now:
        raise InvalidInput("the follow-up is a future date", {"follow_up_ts": "in the past"})
    parties = [dict(p, signed=False) for p in case.parties]  # a new text: signatures again
    return Decision(changes={"agreement_text": text, "follow_up_ts": follow_up_ts,
                             "parties": parties, "state": CaseState.agreement_pending.value})


def sign(case: Any, party_id: str, now: float) -> Decision | None:
    """A party signs; the last signature makes the agreement and its follow-up deadline."""
    if _state(case) is not CaseState.agreement_pending:
        raise Conflict("there is no agreement to sign", {"state": case.state})
    parties = _parties(case)
    row = next(p for p in parties if p["party_id"] == party(case, party_id)["party_id"])
    if row.get("signed"):
        return None
    row["signed"] = True
    if not all(p.get("signed") for p in parties):
        return Decision(changes={"parties": parties})
    agreed = CaseAgreed(case_id=case.id, community_id=case.community_id, kind=case.kind,
                        mediator_id=case.mediator_id or "", follow_up_ts=case.follow_up_ts,
                        seconds_to_agreement=max(0.0, now - case.created_ts))
    return Decision(changes={"parties": parties, "state": CaseState.agreed.value,
                             "outcome": Outcome.agreement.value, "agreed_ts": now},
                    events=[agreed, rating_item(case, now)])


def follow_up_fires(case: Any, now: float) -> Decision | None:
    """The PollTimer's claim: once, whoever polls (a fired follow-up has no deadline)."""
    if _state(case) is not CaseState.agreed or case.follow_up_fired_ts:
        return None
    if case.follow_up_ts is None or case.follow_up_ts > now:
        return None
    event = CaseFollowUpDue(case_id=case.id, community_id=case.community_id,
                            mediator_id=case.mediator_id, follow_up_ts=case.follow_up_ts)
    return Decision(changes={"state": CaseState.follow_up_due.value, "follow_up_fired_ts": now},
                    events=[event])


def follow_up(case: Any, kept: bool, note: str, now: float) -> Decision:
    if _state(case) is not CaseState.follow_up_due:
        raise Conflict("the follow-up is not due", {"state": case.state})
    return Decision(changes={"state": CaseState.closed.value, "follow_up_kept": kept,
                             "close_note": note, "closed_ts": now},
                    events=[_closed(case, Outcome.agreement, now, kept)])


def refer(case: Any, to: str, note: str, now: float) -> Decision:
    if _state(case) not in ACTIVE:
        raise Conflict("the case is over", {"state": case.state})
    return Decision(changes={"state": CaseState.referred.value, "referral_to": to,
                             "outcome": Outcome.referral.value, "close_note": note,
                             "closed_ts": now},
                    events=[_closed(case, Outcome.referral, now), *_item_if_mediated(case, now)])


def close(case: Any, note: str, now: float) -> Decision:
    if _state(case) not in ACTIVE:
        raise Conflict("the case is over", {"state": case.state})
    return Decision(changes={"state": CaseState.closed.value,
                             "outcome": Outcome.no_agreement.value, "close_note": note,
                             "closed_ts": now},
                    events=[_closed(case, Outcome.no_agreement, now),
                            *_item_if_mediated(case, now)])


def rated(case: Any, rating_id: str, score: int) -> Decision | None:
    """evaluation's `item.rated` of the case, folded once by its rating id."""
    if rating_id in (case.rating_ids or []):
        return None
    return Decision(changes={"rating_ids": [*(case.rating_ids or []), rating_id],
                             "rating_total": (case.rating_total or 0) + score})


def item_id(case_id: str) -> str:
    return f"med-{case_id}"


def rating_item(case: Any, now: float) -> EvaluationItemOpened:
    """The parties (those with accounts) rate the mediation; the mediator is its subject."""
    raters = [p["account_id"] for p in case.parties if p.get("account_id")]
    return EvaluationItemOpened(
        item_id=item_id(case.id), kind=ItemKind.mediation, community_id=case.community_id,
        title="矛盾纠纷调解", subject_id=case.mediator_id, raters=raters[:50],
        closes_at=datetime.fromtimestamp(now + RATE_DAYS * 86400, UTC))


def _item_if_mediated(case: Any, now: float) -> list[EvaluationItemOpened]:
    return [rating_item(case, now)] if case.mediator_id else []


def _closed(case: Any, outcome: Outcome, now: float, kept: bool | None = None) -> CaseClosed:
    return CaseClosed(case_id=case.id, community_id=case.community_id, kind=case.kind,
                      outcome=outcome, mediator_id=case.mediator_id, match_id=case.match_id,
                      follow_up_kept=kept, closed_ts=now)


def derive(case: Any) -> None:
    """The follow-up is due while agreed and not fired; the mediator's list key."""
    case.next_due_ts = (case.follow_up_ts if case.state == CaseState.agreed.value
                        and not case.follow_up_fired_ts else None)
    if case.mediator_id:
        case.mediator_key = page_key(f"m:{case.mediator_id}", case.created_ts, case.id)
