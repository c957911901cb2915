"""Micro-wish entrypoints (微心愿): post, the board, claim (抢单), confirm, withdraw.

The open-wishes and hours counters move inside each wish's own commit (`Wish.tally`)."""

from __future__ import annotations

import time
from typing import Any

from nameko.rpc import rpc

from services.common import access
from services.common.aggregate import Decision, change
from services.common.caller import MEMBER_ROLES, Caller, Role
from services.common.contracts.volunteers import FulfilIn, WishIn, WishOut, WishPage
from services.common.errors import NotFound
from services.common.paging import PageQuery, fetch
from services.common.rpc import as_caller, dump, parse, replies
from services.volunteers import metrics
from services.volunteers.domain import wishes as rules
from services.volunteers.matching import release_load
from services.volunteers.models import Profile, Wish
from services.volunteers.profiles import check_grid, profile_kinds
from services.volunteers.profiles import credit as credit_profile

POSTERS = (Role.resident, Role.volunteer, Role.operator, Role.community_admin)
CLAIMERS = tuple(MEMBER_ROLES)


def view(caller: Caller, wish: Wish) -> dict[str, Any]:
    contact = None
    if wish.volunteer_account_id and wish.state in ("claimed", "fulfilled") and (
            caller.user_id == wish.resident_account_id):
        profile = Profile.objects(id=wish.volunteer_account_id).only("contact").first()
        contact = (dict(profile.contact) or None) if profile else None
    fields = {name: getattr(wish, name) for name in WishOut.model_fields
              if name not in ("volunteer_contact",)}
    return dump(WishOut(**fields, volunteer_contact=contact))


def derive(wish: Wish) -> None:
    for name, value in rules.keys(wish).items():
        setattr(wish, name, value)



class WishEntrypoints:
    @rpc
    @replies(WishOut)
    def post_wish(self, caller: dict, data: dict) -> dict:
        """A resident posts a micro-wish; it shows on the community board until claimed."""
        who = as_caller(caller)
        who.require_role(*POSTERS)
        spec = parse(WishIn, data)
        place = access.home(who, spec.community_id)
        check_grid(place.community_id, spec.grid_id)
        now = time.time()
        wish = Wish(district_id=place.district_id, street_id=place.street_id,
                    community_id=place.community_id, resident_account_id=who.user_id,
                    state="open", created_ts=now,
                    **spec.model_dump(mode="json", exclude={"community_id"}))
        done = change(lambda: wish, lambda w, at: Decision(), who, derive=derive)
        return view(who, done.doc)

    @rpc
    @replies(WishOut)
    def get_wish(self, caller: dict, wish_id: str) -> dict:
        """One wish (the resident sees their claimed volunteer's contact details)."""
        who = as_caller(caller)
        return view(who, self._wish(who, wish_id))

    @rpc
    @replies(WishPage)
    def wish_board(self, caller: dict, community_id: str | None = None,
                   limit: int | None = None, cursor: str | None = None) -> dict:
        """The community board: open wishes, newest first."""
        who = as_caller(caller)
        place = access.home(who, community_id)
        docs, nxt = fetch(Wish.objects, "board_key", f"c:{place.community_id}:open",
                          PageQuery.of(limit, cursor))
        return {"items": [view(who, d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(WishPage)
    def my_wishes(self, caller: dict, claimed: bool = False, limit: int | None = None,
                  cursor: str | None = None) -> dict:
        """The caller's posted wishes, or (`claimed`) the ones they claimed as a volunteer."""
        who = as_caller(caller)
        field, scope = ("claimed_key", f"v:{who.user_id}") if claimed else (
            "mine_key", f"r:{who.user_id}")
        docs, nxt = fetch(Wish.objects, field, scope, PageQuery.of(limit, cursor))
        return {"items": [view(who, d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(WishOut)
    def claim_wish(self, caller: dict, wish_id: str) -> dict:
        """抢单: the first claim wins (a version-conditioned commit); later ones get 409."""
        who = as_caller(caller)
        who.require_role(*CLAIMERS)
        wish = self._wish(who, wish_id)
        done = change(lambda: Wish.objects.get(id=wish.id),
                      lambda w, at: rules.claim(w, who.user_id, time.time()), who, derive=derive)
        credit_profile(who.user_id, who, wishes_claimed=1)
        return view(who, done.doc)

    @rpc
    @replies(WishOut)
    def release_wish(self, caller: dict, wish_id: str) -> dict:
        """The volunteer who claimed the wish gives it back to the board."""
        who = as_caller(caller)
        who.require_role(*CLAIMERS)  # as the gateway: only members ever hold a wish
        wish = self._wish(who, wish_id)
        done = change(lambda: Wish.objects.get(id=wish.id),
                      lambda w, at: rules.release(w, who.user_id), who, derive=derive)
        return view(who, done.doc)

    @rpc
    @replies(WishOut)
    def fulfil_wish(self, caller: dict, wish_id: str, data: dict | None = None) -> dict:
        """The resident confirms fulfilment: wish.fulfilled and volunteer.hours_logged follow."""
        who = as_caller(caller)
        spec = parse(FulfilIn, data or {})
        wish = self._wish(who, wish_id)
        if who.user_id != wish.resident_account_id and who.role is not Role.system:
            raise NotFound("no such wish", {"wish_id": "unknown"})
        kinds = profile_kinds(wish.volunteer_account_id)
        done = change(lambda: Wish.objects.get(id=wish.id),
                      lambda w, at: rules.fulfil(w, w.resident_account_id, time.time(),
                                                 spec.rating, spec.note, kinds), who,
                      derive=derive)
        if done.decision is not None:
            metrics.HOURS_LOGGED.labels("wish").inc(done.doc.hours)
            credit(done.doc)
        # Also on a repeat: a crash after the fulfilment's commit is mended by asking again.
        if release_load(done.doc.match_id, done.doc.volunteer_account_id, who):
            self.matching.put_profile(Profile.objects.get(id=done.doc.volunteer_account_id))
        return view(who, done.doc)

    @rpc
    @replies(WishOut)
    def withdraw_wish(self, caller: dict, wish_id: str) -> dict:
        """The resident withdraws a wish nobody claimed yet."""
        who = as_caller(caller)
        wish = self._wish(who, wish_id)
        if who.user_id != wish.resident_account_id and not access.is_admin_of(who, wish):
            raise NotFound("no such wish", {"wish_id": "unknown"})
        done = change(lambda: Wish.objects.get(id=wish.id), lambda w, at: rules.cancel(w), who,
                      derive=derive)
        return view(who, done.doc)

    def _wish(self, who: Caller, wish_id: str) -> Wish:
        wish = access.found(who, Wish.objects(id=str(wish_id)).first(), "wish", "wish_id")
        if who.role in (Role.merchant, Role.department, Role.ops):
            raise NotFound("no such wish", {"wish_id": "unknown"})
        return wish


def credit(wish: Wish) -> None:
    """The volunteer's hours and the resident's rating on the profile, once per wish: the
    wish's `credited` flag is taken first, so a retry never counts twice (a crash between
    the two loses this one credit; the events, which pay, were in the wish's commit)."""
    taken = Wish._get_collection().update_one({"_id": wish.id, "credited": {"$ne": True}},
                                              {"$set": {"credited": True}})
    if not taken.modified_count:
        return
    inc: dict[str, float] = {"hours_total": wish.hours, "wishes_fulfilled": 1}
    if wish.rating:
        inc |= {"rating_sum": float(wish.rating), "rating_count": 1}
    credit_profile(wish.volunteer_account_id, Caller.system(), **inc)
