"""Profiles (志愿者档案): volunteers, party members, community operators, building heads.

A person writes their own profile; a community admin may write one for an account of their
community and verifies certifications. Private contact details are shown only to the
admins of the person's community (and the person); the resident a volunteer is matched
with sees them on the wish or match (`wishes.py`, `matching.py`), never here.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from nameko.rpc import rpc

from services.common import access, audit
from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.evaluation import ItemKind, ItemRated
from services.common.contracts.skills import SKILLS
from services.common.contracts.volunteers import (
    CertificationIn,
    ProfileIn,
    ProfileOut,
    ProfilePage,
    SkillOut,
)
from services.common.errors import Forbidden, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, dump, parse, replies
from services.volunteers.domain import talent
from services.volunteers.models import Profile, VolunteerGrid

PROFILE_WRITERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
                   Role.community_admin)


def community_scope(community_id: str) -> str:
    return f"c:{community_id}"


def view(caller: Caller, doc: Profile) -> dict[str, Any]:
    shown = caller.user_id == doc.id or access.is_admin_of(caller, doc)
    rating = doc.rating_sum / doc.rating_count if doc.rating_count else None
    out = ProfileOut(
        account_id=doc.id, community_id=doc.community_id, display_name=doc.display_name,
        kinds=list(doc.kinds), skills=list(doc.skills), certifications=list(doc.certifications),
        languages=list(doc.languages), grid_id=doc.grid_id, windows=list(doc.windows),
        exceptions=list(doc.exceptions), consent=doc.consent,
        contact=(dict(doc.contact) or None) if shown else None, bio=doc.bio,
        hours_total=doc.hours_total or 0.0, rating=rating, load=doc.load or 0,
        looks=dict(doc.looks or {}), talent_score=doc.talent_score or 0.0,
        version=doc.version)
    return dump(out)


def derive_talent(doc: Profile) -> None:
    """The four looks, their total and the archive's key, from the profile's counters."""
    scored = talent.looks({name: getattr(doc, name) for name in COUNTERS})
    doc.looks = scored
    doc.talent_score = talent.total(scored)
    doc.talent_key = page_key(f"t:{doc.community_id}", doc.talent_score, doc.id)


COUNTERS = ("activities_attended", "hours_total", "offers_accepted", "offers_declined",
            "wishes_claimed", "wishes_fulfilled", "rating_count", "rating_sum", "load")


def credit(account_id: str | None, caller: Caller, **inc: float) -> Profile | None:
    """Move a profile's counters (after the commit that earned them; no profile: nothing).

    A version-conditioned commit like every other profile change, so the looks and the
    archive's key are derived from the same counters they are stored with."""
    if not account_id or Profile.objects(id=account_id).only("id").first() is None:
        return None

    def decide(doc: Profile, _at: Any) -> Decision:
        return Decision(changes={name: (getattr(doc, name) or 0) + value
                                 for name, value in inc.items()} | {"changed_ts": time.time()})

    return change(lambda: Profile.objects.get(id=account_id), decide, caller,
                  derive=derive_talent).doc


def profile_kinds(account_id: str | None) -> list[str]:
    """What a person serves as (operator or not: the kind of their service's rating item)."""
    doc = Profile.objects(id=account_id).only("kinds").first() if account_id else None
    return list(doc.kinds or []) if doc is not None else []


RATINGS_KEPT = 50  # rating ids kept per profile: a redelivery comes soon, not 50 ratings later
RATED_KINDS = (ItemKind.volunteer_service, ItemKind.operator_service)


def fold_rating(rated: ItemRated, caller: Caller) -> Profile | None:
    """Evaluation's rating of a volunteer's or operator's service into their profile's
    rating, once per rating (its id is kept on the profile: the fold and the mark are one
    version-conditioned write). None: not a person's service, no such profile of that
    community, or folded already."""
    if rated.kind not in RATED_KINDS or not rated.subject_id:
        return None
    doc = Profile.objects(id=rated.subject_id).only("community_id").first()
    if doc is None or doc.community_id != rated.community_id:
        return None

    def decide(p: Profile, _at: Any) -> Decision | None:
        if rated.rating_id in (p.ratings_folded or []):
            return None
        return Decision(changes={
            "rating_sum": (p.rating_sum or 0.0) + rated.score,
            "rating_count": (p.rating_count or 0) + 1,
            "ratings_folded": [*(p.ratings_folded or []), rated.rating_id][-RATINGS_KEPT:],
            "changed_ts": time.time()})

    done = change(lambda: Profile.objects.get(id=rated.subject_id), decide, caller,
                  derive=derive_talent)
    return done.doc if done.decision is not None else None


def check_grid(community_id: str, grid_id: str | None) -> None:
    if grid_id is None:
        return
    grid = VolunteerGrid.objects(id=grid_id).first()
    if grid is None or grid.removed or grid.community_id != community_id:
        raise NotFound("no such grid in this community", {"grid_id": "unknown"})


class ProfileEntrypoints:
    @rpc
    @replies(ProfileOut)
    def save_profile(self, caller: dict, data: dict) -> dict:
        """Write the caller's profile (or, for a community admin, one of their community)."""
        who = as_caller(caller)
        who.require_role(*PROFILE_WRITERS)
        spec = parse(ProfileIn, data)
        place = access.home(who, spec.community_id)
        account_id = spec.account_id or who.user_id
        if account_id != who.user_id and not access.is_admin_of(who, place):
            raise Forbidden("only an admin writes someone else's profile",
                            {"account_id": "not yours"})
        check_grid(place.community_id, spec.grid_id)
        now = time.time()
        fields = spec.model_dump(mode="json", exclude={"community_id", "account_id"})
        fields["contact"] = fields["contact"] or {}

        def load() -> Profile:
            doc = Profile.objects(id=account_id).first()
            if doc is not None and doc.community_id != place.community_id:
                raise NotFound("no such profile", {"account_id": "unknown"})
            return doc or Profile(id=account_id, district_id=place.district_id,
                                  street_id=place.street_id, community_id=place.community_id,
                                  created_ts=now, changed_ts=now,
                                  page_key=page_key(community_scope(place.community_id), now,
                                                    account_id))

        def decide(doc: Profile, _at: Any) -> Decision:
            return Decision(changes={**fields, "changed_ts": time.time()})

        # The volunteers-by-skill counters move in this same write (Profile.tally).
        done = change(load, decide, who, derive=derive_talent)
        self.matching.put_profile(done.doc)
        return view(who, done.doc)

    @rpc
    @replies(ProfileOut)
    def get_profile(self, caller: dict, account_id: str) -> dict:
        """One profile of the caller's scope (contact details only to its community's admins)."""
        who = as_caller(caller)
        doc = access.found(who, Profile.objects(id=str(account_id)).first(), "profile",
                           "account_id")
        if who.role is Role.merchant:
            raise NotFound("no such profile", {"account_id": "unknown"})
        return view(who, doc)

    @rpc
    @replies(ProfilePage)
    def list_profiles(self, caller: dict, community_id: str | None = None,
                      limit: int | None = None, cursor: str | None = None) -> dict:
        """A page of the community's profiles, newest first (staff and volunteers)."""
        who = as_caller(caller)
        who.require_role(*ADMIN_ROLES, Role.grid_worker, Role.volunteer, Role.operator)
        query = PageQuery.of(limit, cursor)
        target = str(community_id or who.community_id or "")
        if not target:
            raise Forbidden("name the community", {"community_id": "required"})
        if who.role in (Role.street_admin, Role.district_admin):
            # The community's street is on its profiles: the first one tells (one lookup).
            probe = Profile.objects(page_key__gte=f"{community_scope(target)}|",
                                    page_key__lt=f"{community_scope(target)}}}").only(
                "district_id", "street_id", "community_id").first()
            if probe is None:
                return {"items": [], "next_cursor": None}
            if not access.sees(who, probe):
                raise NotFound("no such community", {"community_id": "unknown"})
        elif who.role is not Role.system and target != who.community_id:
            raise NotFound("no such community", {"community_id": "unknown"})
        docs, nxt = fetch(Profile.objects, "page_key", community_scope(target), query)
        return {"items": [view(who, d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(ProfileOut)
    def add_certification(self, caller: dict, data: dict) -> dict:
        """A certification of one's own (a licence, a course), pending an admin's check."""
        who = as_caller(caller)
        spec = parse(CertificationIn, data)
        doc = Profile.objects(id=who.user_id).first()
        if doc is None:
            raise NotFound("write your profile first", {"account_id": "no profile"})
        cert = {**spec.model_dump(mode="json"), "id": f"cert-{uuid.uuid4().hex[:10]}",
                "verified": False, "verified_by": None, "verified_ts": None}

        def decide(p: Profile, _at: Any) -> Decision:
            if len(p.certifications) >= 20:
                raise Forbidden("at most 20 certifications", {"certifications": "full"})
            return Decision(changes={"certifications": [*p.certifications, cert],
                                     "changed_ts": time.time()})

        done = change(lambda: Profile.objects.get(id=who.user_id), decide, who)
        self.matching.put_profile(done.doc)
        return view(who, done.doc)

    @rpc
    @replies(ProfileOut)
    def verify_certification(self, caller: dict, account_id: str, certification_id: str) -> dict:
        """A community admin verifies a certification (it then counts in matching)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        doc = access.found(who, Profile.objects(id=str(account_id)).first(), "profile",
                           "account_id")
        if not access.is_admin_of(who, doc):
            raise NotFound("no such profile", {"account_id": "unknown"})
        if not any(c["id"] == certification_id for c in doc.certifications):
            raise NotFound("no such certification", {"certification_id": "unknown"})
        now = time.time()

        def decide(p: Profile, _at: Any) -> Decision | None:
            certs = [dict(c) | ({"verified": True, "verified_by": who.user_id, "verified_ts": now}
                                if c["id"] == certification_id and not c.get("verified") else {})
                     for c in p.certifications]
            if certs == [dict(c) for c in p.certifications]:
                return None  # verified already
            return Decision(changes={"certifications": certs, "changed_ts": time.time()})

        done = change(lambda: Profile.objects.get(id=doc.id), audit.audited(
            decide, who, "certification.verify", "profile",
            before={"certification_id": certification_id, "verified": False},
            after={"certification_id": certification_id, "verified": True}), who)
        self.matching.put_profile(done.doc)
        return view(who, done.doc)

    @rpc
    @replies(ProfilePage)
    def talent_archive(self, caller: dict, community_id: str | None = None,
                       limit: int | None = None, cursor: str | None = None) -> dict:
        """达人档案: the community's profiles by their four looks' total, best first (admins,
        for self-management committee nominations)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        place = access.home(who, community_id)
        query = PageQuery.of(limit, cursor)
        docs, nxt = fetch(Profile.objects, "talent_key", f"t:{place.community_id}", query)
        return {"items": [view(who, d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(list[SkillOut])
    def list_skills(self, caller: dict) -> list[dict]:
        """The skill taxonomy (a fixed table of about thirty rows, not a growing list)."""
        as_caller(caller)
        return [{"code": c, "parent": p, "label": label} for c, (p, label) in SKILLS.items()]

