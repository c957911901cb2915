"""Case entrypoints: open a case, consent, ask for a mediator, meetings, the outcome.

Every change goes through the commit frame with the pure rule of `domain.py`; a meeting in
a hall is committed first (placement pending) and booked with deliberation after, within
its RPC timeout: a refusal or a deliberation that is down leaves the meeting unplaced,
never the write failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from nameko.rpc import rpc

from services.common import access, audit
from services.common.aggregate import Committed, Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.mediation import (
    AgreementIn,
    CaseIn,
    CaseOpened,
    CaseOut,
    CasePage,
    CloseIn,
    ConsentIn,
    FollowUpIn,
    MeetingIn,
    MeetingRecordIn,
    PartyUpdateIn,
    ReferralIn,
    SignIn,
)
from services.common.errors import Forbidden, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, dump, parse, replies
from services.mediation import domain, metrics
from services.mediation.models import MediationCase, new_id
from services.mediation.views import FULL, find, own_party, privileged, view

log = logging.getLogger(__name__)
OPENERS = (Role.community_admin, Role.grid_worker)
# The case fields an admin's act shows in the audit log (never the parties or texts).
AUDITED = frozenset({"state", "outcome", "mediator_id", "referral_to", "follow_up_ts",
                     "follow_up_kept", "agreed_ts", "closed_ts", "requests"})


def update(who: Caller, case_id: str, decide: Callable[[MediationCase, float], Decision | None],
           action: str | None = None) -> Committed[MediationCase]:
    """A change of the case; with `action`, an admin's carries its audit event (`case.<action>`)
    naming only the case's own state fields: the parties' details stay out of the log."""

    def decided(c: MediationCase, at: object) -> Decision | None:
        made = decide(c, time.time())
        if action is None or made is None:
            return made
        shown = {k: v for k, v in made.changes.items() if k in AUDITED}
        return audit.attach(made, who, c, f"case.{action}", "mediation_case",
                            before=audit.fields_of(c, shown), after=shown)

    done = change(lambda: MediationCase.objects.get(id=case_id), decided, who,
                  derive=domain.derive)
    metrics.observe(done)
    return done


def new_case(place: access.Home, *, case_id: str, kind: str, source: str, summary: str,
             grid_id: str | None, opened_by: str, parties: list[dict],
             issue_id: str | None = None) -> MediationCase:
    now = time.time()
    rows = [dict(p, party_id=f"p{n}", consent=None, signed=False)
            for n, p in enumerate(parties, start=1)]
    case = MediationCase(id=case_id, district_id=place.district_id, street_id=place.street_id,
                community_id=place.community_id, grid_id=grid_id, kind=kind, source=source,
                summary=summary, opened_by=opened_by, parties=rows, issue_id=issue_id,
                created_ts=now, page_key=page_key(f"c:{place.community_id}", now, case_id))
    return case


def open_new(case: MediationCase, who: Caller) -> Committed[MediationCase]:
    """Insert the case with its `case.opened` and its first mediator request (volunteers
    offers it to the holders of the skill "mediation"); a raced insert decides nothing."""

    def decide(c: MediationCase, _at: object) -> Decision | None:
        if not c._created:
            return None  # made by an earlier delivery
        asked = domain.request_mediator(c)
        opened = CaseOpened(case_id=c.id, community_id=c.community_id, kind=c.kind,
                            source=c.source, opened_ts=c.created_ts)
        return audit.attach(Decision(changes=asked.changes, events=[opened, *asked.events]),
                            who, c, "case.open", "mediation_case", before={},
                            after={"kind": c.kind, "source": c.source, "state": c.state})

    done = change(lambda: MediationCase.objects(id=case.id).first() or case, decide, who,
                  derive=domain.derive)
    metrics.observe(done)
    return done


class CaseEntrypoints:
    @rpc
    @replies(CaseOut)
    def open_case(self, caller: dict, data: dict) -> dict:
        """A grid worker (patrol, walk-in) or the community admin files a dispute."""
        who = as_caller(caller)
        who.require_role(*OPENERS)
        spec = parse(CaseIn, data)
        place = access.home(who, spec.community_id)
        grid = spec.grid_id or (who.grid_id if who.role is Role.grid_worker else None)
        case = new_case(place, case_id=new_id("md"), kind=spec.kind.value,
                        source=spec.source.value, summary=spec.summary, grid_id=grid,
                        opened_by=who.user_id,
                        parties=[p.model_dump(mode="json") for p in spec.parties])
        done = open_new(case, who)
        return view(who, done.doc)

    @rpc
    @replies(CaseOut)
    def get_case(self, caller: dict, case_id: str) -> dict:
        """A case as the reader may see it (404 for anyone who is not in it)."""
        who = as_caller(caller)
        case, shown = find(who, case_id)
        return view(who, case, shown)

    @rpc
    @replies(CasePage)
    def list_cases(self, caller: dict, community_id: str | None = None,
                   mine: bool = False, limit: int | None = None,
                   cursor: str | None = None) -> dict:
        """The community admin's cases, or (`mine`) the cases the caller mediates."""
        who = as_caller(caller)
        query = PageQuery.of(limit, cursor)
        if mine:
            docs, nxt = fetch(MediationCase.objects, "mediator_key", f"m:{who.user_id}", query)
            docs = [d for d in docs if privileged(who, d)]
        else:
            who.require_role(Role.community_admin)
            place = access.home(who, community_id)
            docs, nxt = fetch(MediationCase.objects, "page_key", f"c:{place.community_id}", query)
        return {"items": [view(who, d, FULL) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(CaseOut)
    def record_consent(self, caller: dict, case_id: str, data: dict) -> dict:
        """A party consents to mediation or declines (the mediator or admin may record a
        party's answer given in person)."""
        who = as_caller(caller)
        spec = parse(ConsentIn, data)
        case = self._for_party(who, case_id, spec.party_id)
        done = update(who, case.id, lambda c, now: domain.consent(c, spec.party_id,
                                                                 spec.consent, now),
                      "record_consent")
        return view(who, done.doc)

    @rpc
    @replies(CaseOut)
    def set_party(self, caller: dict, case_id: str, party_id: str, data: dict) -> dict:
        """The mediator or admin completes a party's name, account and contact."""
        who = as_caller(caller)
        spec = parse(PartyUpdateIn, data)
        case = self._mediator(who, case_id)
        return view(who, update(who, case.id, lambda c, now: domain.set_party(
            c, str(party_id), spec.model_dump(mode="json")), "set_party").doc)

    @rpc
    @replies(CaseOut)
    def request_mediator(self, caller: dict, case_id: str) -> dict:
        """Ask again for a mediator (the last search found nobody who accepted)."""
        who = as_caller(caller)
        case = self._admin(who, case_id)
        return view(who, update(who, case.id, lambda c, now: domain.request_mediator(c),
                                       "request_mediator").doc)

    @rpc
    @replies(CaseOut)
    def schedule_meeting(self, caller: dict, case_id: str, data: dict) -> dict:
        """A meeting of the parties, in a hall or the 调解工作室 booked with deliberation."""
        who = as_caller(caller)
        spec = parse(MeetingIn, data)
        case = self._mediator(who, case_id)
        meeting_id = f"{case.id}-mt{len(case.meetings) + 1}-{new_id('x')[-4:]}"
        done = update(who, case.id, lambda c, now: domain.schedule(
            c, meeting_id, spec.hall_id, spec.starts_ts, spec.ends_ts, spec.place_note),
            "schedule_meeting")
        if spec.hall_id:
            ok, error = self._book(done.doc, meeting_id, spec)
            done = update(who, case.id, lambda c, now: domain.placed(c, meeting_id, ok, error))
        return view(who, done.doc)

    @rpc
    @replies(CaseOut)
    def record_meeting(self, caller: dict, case_id: str, meeting_id: str, data: dict) -> dict:
        """The record of a held meeting (调解记录): who attended, what was said."""
        who = as_caller(caller)
        spec = parse(MeetingRecordIn, data)
        case = self._mediator(who, case_id)
        return view(who, update(who, case.id, lambda c, now: domain.record(
            c, str(meeting_id), spec.summary, spec.attended, now), "record_meeting").doc)

    @rpc
    @replies(CaseOut)
    def propose_agreement(self, caller: dict, case_id: str, data: dict) -> dict:
        """The mediator drafts the agreement (调解协议) and its follow-up date."""
        who = as_caller(caller)
        spec = parse(AgreementIn, data)
        case = self._mediator(who, case_id)
        return view(who, update(who, case.id, lambda c, now: domain.propose(
            c, spec.text, spec.follow_up_ts, now), "propose_agreement").doc)

    @rpc
    @replies(CaseOut)
    def sign_agreement(self, caller: dict, case_id: str, data: dict) -> dict:
        """A party signs the agreement (the mediator may record a signature on paper)."""
        who = as_caller(caller)
        spec = parse(SignIn, data)
        case = self._for_party(who, case_id, spec.party_id)
        return view(who, update(who, case.id,
                                lambda c, now: domain.sign(c, spec.party_id, now),
                                "sign_agreement").doc)

    @rpc
    @replies(CaseOut)
    def refer_case(self, caller: dict, case_id: str, data: dict) -> dict:
        """Hand the case to the police, the court's mediation or legal aid."""
        who = as_caller(caller)
        spec = parse(ReferralIn, data)
        case = self._mediator(who, case_id)
        return view(who, update(who, case.id, lambda c, now: domain.refer(
            c, spec.to.value, spec.note, now), "refer").doc)

    @rpc
    @replies(CaseOut)
    def close_case(self, caller: dict, case_id: str, data: dict) -> dict:
        """Close the case without agreement."""
        who = as_caller(caller)
        spec = parse(CloseIn, data)
        case = self._mediator(who, case_id)
        return view(who, update(who, case.id,
                                lambda c, now: domain.close(c, spec.note, now),
                                "close").doc)

    @rpc
    @replies(CaseOut)
    def record_follow_up(self, caller: dict, case_id: str, data: dict) -> dict:
        """回访: whether the agreement was kept, once its follow-up date came."""
        who = as_caller(caller)
        spec = parse(FollowUpIn, data)
        case = self._mediator(who, case_id)
        return view(who, update(who, case.id, lambda c, now: domain.follow_up(
            c, spec.kept, spec.note, now), "record_follow_up").doc)

    # --- who may act -------------------------------------------------------------------

    def _case(self, who: Caller, case_id: str) -> MediationCase:
        case, _ = find(who, case_id)
        return case

    def _admin(self, who: Caller, case_id: str) -> MediationCase:
        case = self._case(who, case_id)
        if not access.is_admin_of(who, case):
            raise Forbidden("the community admin does this", {"role": who.role.value})
        return case

    def _mediator(self, who: Caller, case_id: str) -> MediationCase:
        case = self._case(who, case_id)
        if not privileged(who, case):
            raise Forbidden("the case's mediator or the community admin does this",
                            {"role": who.role.value})
        return case

    def _for_party(self, who: Caller, case_id: str, party_id: str) -> MediationCase:
        case = self._case(who, case_id)
        if privileged(who, case):
            return case
        mine = own_party(who, case)
        if mine is None:
            raise Forbidden("a party answers for themselves", {"role": who.role.value})
        if mine["party_id"] != party_id:
            raise NotFound("no such party", {"party_id": "unknown"})
        return case

    def _book(self, case: MediationCase, meeting_id: str,
              spec: MeetingIn) -> tuple[bool, str | None]:
        """Deliberation books the hall's slots for the meeting (within the RPC timeout)."""
        try:
            self.deliberation.book_hall(dump(Caller.system(case.district_id)), {
                "hall_id": spec.hall_id, "community_id": case.community_id,
                "starts_ts": spec.starts_ts, "ends_ts": spec.ends_ts, "holder_id": meeting_id})
            metrics.BOOKINGS.labels("placed").inc()
            return True, None
        except Exception as exc:  # refused, or deliberation down: the meeting stays unplaced
            metrics.BOOKINGS.labels("unplaced").inc()
            log.info("meeting %s not placed: %r", meeting_id, exc)
            return False, _reason(exc)


def _reason(exc: Exception) -> str:
    fields: dict[str, Any] = getattr(exc, "fields", None) or {}
    message = getattr(exc, "message", None) or type(exc).__name__
    return f"{message} {fields}" if fields else str(message)
