"""Matching entrypoints (匹配 / 派单): rank candidates for a need, offer in turn, answer.

Ranking reads the process's in-memory index only (`index.py`); a match stores its ranked
candidates and walks them with `domain/offers.py`, each offer's deadline on the match
(`next_due_ts`), fired once by the PollTimer (`run_due`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from nameko.rpc import rpc

from services.common import access
from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, MEMBER_ROLES, Caller, Role
from services.common.contracts.volunteers import (
    AnswerIn,
    MatchIn,
    MatchOut,
    MatchPage,
    NeedIn,
    RankOut,
    Reach,
)
from services.common.errors import DomainError, Forbidden, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, dump, parse, replies
from services.common.store import StaleWrite
from services.volunteers import metrics, policy
from services.volunteers.domain import offers
from services.volunteers.domain import wishes as wish_rules
from services.volunteers.domain.scoring import Need
from services.volunteers.index import LiveIndex
from services.volunteers.models import Match, Profile, Wish
from services.volunteers.profiles import credit

log = logging.getLogger(__name__)
BATCH = 200


def need_of(who: Caller, spec: NeedIn, live: LiveIndex) -> tuple[Need, access.Home, Any]:
    """The need as matching sees it, in a community the caller may match for."""
    live.require_ready()
    wish = None
    if who.role in (Role.street_admin, Role.district_admin):
        if not spec.community_id:
            raise Forbidden("name the community", {"community_id": "required"})
        street = next((s for s, cs in live.index.streets.items() if spec.community_id in cs),
                      None)
        if street is None or (who.role is Role.street_admin and street != who.street_id):
            raise NotFound("no such community", {"community_id": "unknown"})
        place = access.Home(who.district_id, street, spec.community_id)
    else:
        place = access.home(who, spec.community_id)
    if spec.need_kind == "wish":
        wish = Wish.objects(id=spec.need_id or "").first()
        if wish is None or wish.community_id != place.community_id:
            raise NotFound("no such wish", {"need_id": "unknown"})
        if who.role not in ADMIN_ROLES and who.role is not Role.system and (
                wish.resident_account_id != who.user_id):
            raise NotFound("no such wish", {"need_id": "unknown"})
    elif who.role not in ADMIN_ROLES and who.role is not Role.system:
        raise Forbidden("admins match needs; residents match their own wishes",
                        {"need_kind": "wish only"})
    if spec.reach is Reach.street and who.role not in (Role.street_admin, Role.district_admin,
                                                       Role.system):
        raise Forbidden("street-wide matching is for street admins", {"reach": "community"})
    street = place.street_id if spec.reach is Reach.street else None
    need = Need(community_id=place.community_id, street_id=street,
                skill=spec.skill or (wish.skill if wish else None),
                grid_id=spec.grid_id or (wish.grid_id if wish else None), at_ts=spec.at_ts)
    return need, place, wish


def names(account_ids: list[str]) -> dict[str, str]:
    """Display names of a page of candidates (k ≤ 50 lookups by `_id`)."""
    out = {}
    for account_id in account_ids:
        doc = Profile.objects(id=account_id).only("display_name").first()
        if doc is not None:
            out[account_id] = doc.display_name
    return out


def view(caller: Caller, match: Match) -> dict[str, Any]:
    contact = None
    if match.accepted_by and caller.user_id == match.resident_account_id:
        profile = Profile.objects(id=match.accepted_by).only("contact").first()
        contact = (dict(profile.contact) or None) if profile else None
    staff = access.is_staff_over(caller, match)
    candidates = list(match.candidates) if staff else [
        c for c in match.candidates if c["account_id"] == caller.user_id]
    return dump(MatchOut(
        id=match.id, community_id=match.community_id, need_kind=match.need_kind,
        need_id=match.need_id, skill=match.skill, state=match.state, candidates=candidates,
        offers=list(match.offers) if staff else [
            o for o in match.offers if o["account_id"] == caller.user_id],
        offered_to=match.offered_to if staff or match.offered_to == caller.user_id else None,
        next_due_ts=match.next_due_ts, accepted_by=match.accepted_by,
        volunteer_contact=contact, round=match.round or 0))


def derive(match: Match) -> None:
    match.offer_key = (page_key(f"o:{match.offered_to}", match.created_ts, match.id)
                       if match.state == offers.OFFERING and match.offered_to else None)


def observe(decision: Decision | None) -> None:
    for event in decision.events if decision else ():
        kind = event.event_type.removeprefix("match.")  # type: ignore[attr-defined]
        metrics.MATCHES.labels(kind).inc()


def after_accept(who: Caller, match: Match) -> None:
    """The accepting volunteer's load grows; an offered wish is claimed for them."""
    credit(match.accepted_by, who, load=1, offers_accepted=1)
    if match.need_kind == "wish":
        try:
            change(lambda: Wish.objects.get(id=match.need_id),
                   lambda w, at: _claimed_by_match(w, match, time.time()), who,
                   derive=_wish_keys)
            credit(match.accepted_by, who, wishes_claimed=1)
        except DomainError as exc:  # claimed from the board meanwhile: the match stands
            log.info("match %s accepted but wish %s was not open: %s", match.id,
                     match.need_id, exc)


def _claimed_by_match(wish: Wish, match: Match, now: float) -> Decision:
    """The wish claimed for the accepting volunteer, naming the match that holds their load
    (the wish's fulfilment gives it back, `release_load`)."""
    claimed = wish_rules.claim(wish, match.accepted_by, now)
    return Decision(changes={**claimed.changes, "match_id": match.id}, events=claimed.events)


def release_load(match_id: str | None, volunteer_id: str | None, caller: Caller) -> bool:
    """The need of an accepted match is done (a wish fulfilled): the volunteer's load it
    counted drops, once (the match's `load_released`, then the profile's counter). Safe to
    call again: a repeat, or a match no longer held by `volunteer_id`, changes nothing."""
    if not match_id or not volunteer_id or Match.objects(id=match_id).only("id").first() is None:
        return False

    def decide(m: Match, _at: object) -> Decision | None:
        if m.state != offers.ACCEPTED or m.load_released or m.accepted_by != volunteer_id:
            return None
        return Decision(changes={"load_released": True})

    if change(lambda: Match.objects.get(id=match_id), decide, caller).decision is None:
        return False
    credit(volunteer_id, caller, load=-1)
    return True


def _wish_keys(wish: Wish) -> None:
    for name, value in wish_rules.keys(wish).items():
        setattr(wish, name, value)


class MatchEntrypoints:
    @rpc
    @replies(list[RankOut])
    def rank_candidates(self, caller: dict, data: dict) -> list[dict]:
        """The top k candidates for a need with each score's parts (nothing is offered)."""
        who = as_caller(caller)
        spec = parse(NeedIn, data)
        need, _, _ = need_of(who, spec, self.matching)
        ranked = self.matching.index.top(need, spec.k)
        shown = names([r.account_id for r in ranked])
        return [{"account_id": r.account_id, "display_name": shown.get(r.account_id),
                 "score": r.score, "parts": r.parts} for r in ranked]

    @rpc
    @replies(MatchOut)
    def start_match(self, caller: dict, data: dict) -> dict:
        """Rank the candidates and offer the need to the best; each has `offer_minutes`."""
        who = as_caller(caller)
        spec = parse(MatchIn, data)
        need, place, wish = need_of(who, spec, self.matching)
        if wish is not None and wish.state != "open":
            raise DomainError("the wish is not open", {"need_id": f"wish is {wish.state}"})
        ranked = self.matching.index.top(need, spec.k)
        now = time.time()
        minutes = spec.offer_minutes or policy.of(place.community_id).offer_minutes
        match = Match(district_id=place.district_id, street_id=place.street_id,
                      community_id=place.community_id, requested_by=who.user_id,
                      resident_account_id=wish.resident_account_id if wish else None,
                      need_kind=spec.need_kind, need_id=spec.need_id or "-", skill=need.skill,
                      grid_id=need.grid_id, at_ts=need.at_ts, ttl=minutes * 60,
                      state="new", created_ts=now,
                      candidates=[{"account_id": r.account_id, "score": r.score,
                                   "parts": r.parts} for r in ranked])
        match.page_key = page_key(f"c:{place.community_id}", now, match.id)
        done = change(lambda: match, lambda m, at: offers.start(m, time.time(), m.ttl), who,
                      derive=derive)
        observe(done.decision)
        return view(who, done.doc)

    @rpc
    @replies(MatchOut)
    def answer_offer(self, caller: dict, match_id: str, data: dict) -> dict:
        """The offered volunteer accepts or declines (declining offers it to the next)."""
        who = as_caller(caller)
        who.require_role(*MEMBER_ROLES, Role.resident)
        spec = parse(AnswerIn, data)
        match = self._match(who, match_id)
        done = change(lambda: Match.objects.get(id=match.id),
                      lambda m, at: offers.answer(m, who.user_id, spec.accept, time.time(),
                                                  m.ttl), who, derive=derive)
        observe(done.decision)
        if spec.accept:
            after_accept(who, done.doc)
            self.matching.put_profile(Profile.objects.get(id=who.user_id))
        else:
            metrics.MATCHES.labels("declined").inc()
            credit(who.user_id, who, offers_declined=1)
        return view(who, done.doc)

    @rpc
    @replies(MatchOut)
    def get_match(self, caller: dict, match_id: str) -> dict:
        """A match: staff see every candidate and offer; a candidate sees their own."""
        who = as_caller(caller)
        return view(who, self._match(who, match_id))

    @rpc
    @replies(MatchPage)
    def list_matches(self, caller: dict, offered: bool = False, community_id: str | None = None,
                     limit: int | None = None, cursor: str | None = None) -> dict:
        """The community's matches (admins), or (`offered`) the caller's open offers."""
        who = as_caller(caller)
        query = PageQuery.of(limit, cursor)
        if offered:
            docs, nxt = fetch(Match.objects, "offer_key", f"o:{who.user_id}", query)
        else:
            who.require_role(Role.community_admin)
            place = access.home(who, community_id)
            docs, nxt = fetch(Match.objects, "page_key", f"c:{place.community_id}", query)
        return {"items": [view(who, d) for d in docs], "next_cursor": nxt}

    def _match(self, who: Caller, match_id: str) -> Match:
        match = access.found(who, Match.objects(id=str(match_id)).first(), "match", "match_id")
        involved = who.user_id in (match.resident_account_id, match.requested_by) or any(
            c["account_id"] == who.user_id for c in match.candidates)
        if not involved and not access.is_staff_over(who, match):
            raise NotFound("no such match", {"match_id": "unknown"})
        return match


def run_due(now: float) -> int:
    """Move every offer past its deadline to the next candidate, once (any replica)."""
    moved = 0
    due = Match.objects(next_due_ts__lte=now).order_by("next_due_ts").only("id").limit(BATCH)
    for match_id in [m.id for m in due]:
        try:
            done = change(lambda mid=match_id: Match.objects.get(id=mid),
                          lambda m, at: offers.lapse(m, time.time(), m.ttl), Caller.system(),
                          derive=derive)
        except StaleWrite:
            continue  # another replica moved it: the next poll re-reads
        except Exception:  # one bad match must not stop the others' deadlines
            log.exception("offer deadline failed for %s", match_id)
            continue
        if done.decision is not None:
            metrics.MATCHES.labels("timed_out").inc()
            lapsed = [o for o in done.doc.offers if o["outcome"] == "timed_out"]
            if lapsed:
                credit(lapsed[-1]["account_id"], Caller.system(), offers_declined=1)
            observe(done.decision)
            moved += 1
    return moved
