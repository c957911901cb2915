"""The representatives roster (议事代表): who deliberates, by type, per community and hall."""

from __future__ import annotations

import time

from nameko.rpc import rpc

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import Role
from services.common.contracts.deliberation import (
    ROSTER_KINDS,
    Participant,
    RemovalIn,
    RepresentativeIn,
    RepresentativeOut,
    RepresentativePage,
)
from services.common.errors import InvalidInput, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, parse, replies
from services.deliberation import access, views
from services.deliberation.models import Hall, Representative


def view(doc: Representative) -> RepresentativeOut:
    return RepresentativeOut(**{n: getattr(doc, n) for n in RepresentativeOut.model_fields})


def check_fixed(community_id: str, participants: list[Participant]) -> None:
    """Each participant seated for one of the fixed "4" parties is on the community's roster
    as a kind that party takes (`ROSTER_KINDS`), else a 422 naming `participants`. One
    `_id` read per kind tried (no `$in`)."""
    for p in participants:
        kinds = ROSTER_KINDS.get(p.party)
        if kinds is None:
            continue  # the "N": stakeholders, experts and others need no roster entry
        if not any(_seated(f"{community_id}:{p.account_id}:{k.value}") for k in kinds):
            raise InvalidInput("not on the representatives roster for this party", {
                "participants": f"{p.account_id} as {p.party.value}: not on the roster as "
                                f"{' or '.join(k.value for k in kinds)}"})


def _seated(rep_id: str) -> bool:
    found = Representative.objects(id=rep_id).only("removed").first()
    return found is not None and not found.removed


class RosterEntrypoints:
    @rpc
    @replies(RepresentativeOut)
    def add_representative(self, caller: dict, data: dict) -> RepresentativeOut:
        """A community admin puts a person on the roster as one kind (again: the same entry)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        spec = parse(RepresentativeIn, data)
        place = access.home(who, spec.community_id)
        if spec.hall_id is not None:
            hall = Hall.objects(id=spec.hall_id).only("community_id").first()
            if hall is None or hall.community_id != place.community_id:
                raise NotFound("no such hall", {"hall_id": "unknown"})
        rep_id = f"{place.community_id}:{spec.account_id}:{spec.kind.value}"
        found = Representative.objects(id=rep_id).first()
        if found is not None and not found.removed:
            return view(found)
        now = time.time()
        keys = {"page_key": page_key(f"c:{place.community_id}", now, rep_id),
                "hall_key": page_key(f"h:{spec.hall_id}", now, rep_id) if spec.hall_id else None}
        doc = Representative(
            id=rep_id, district_id=place.district_id, street_id=place.street_id,
            community_id=place.community_id, account_id=spec.account_id,
            display_name=spec.display_name, kind=spec.kind.value, hall_id=spec.hall_id,
            created_ts=now, **keys)

        def decide(r: Representative, at: object) -> Decision | None:
            if r._created:
                return Decision()
            if not r.removed:
                return None  # a concurrent add restored it
            return Decision(changes={"removed": False, "display_name": spec.display_name,
                                     "hall_id": spec.hall_id, **keys})

        done = change(lambda: Representative.objects(id=rep_id).first() or doc,
                      audit.audited(decide, who, "representative.add", "representative",
                                    after={"account_id": spec.account_id,
                                           "kind": spec.kind.value, "hall_id": spec.hall_id,
                                           "removed": False}), who)
        return view(done.doc)

    @rpc
    @replies(RepresentativeOut)
    def remove_representative(self, caller: dict, rep_id: str,
                              data: dict | None = None) -> RepresentativeOut:
        """A community admin takes an entry off the roster (again: nothing more); it leaves
        the lists and the counts, and no meeting can seat the person for that party."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        parse(RemovalIn, data or {})
        found = Representative.objects(id=str(rep_id)).first()
        if found is None or not access.is_admin_of(who, found):
            raise NotFound("no such representative", {"rep_id": "unknown"})
        done = change(lambda: Representative.objects.get(id=found.id),
                      audit.audited(lambda r, at: None if r.removed else Decision(changes={
                          "removed": True, "page_key": None, "hall_key": None}), who,
                          "representative.remove", "representative",
                          before={"removed": False}, after={"removed": True}), who)
        return view(done.doc)

    @rpc
    @replies(RepresentativePage)
    def list_representatives(self, caller: dict, community_id: str | None = None,
                             hall_id: str | None = None, limit: int | None = None,
                             cursor: str | None = None) -> dict:
        """The community's roster, or one of its halls', newest first."""
        who = as_caller(caller)
        place = access.reader_home(who, community_id)
        field, scope = "page_key", f"c:{place}"
        if hall_id is not None:
            hall = Hall.objects(id=str(hall_id)).only("community_id").first()
            if hall is None or hall.community_id != place:
                raise NotFound("no such hall", {"hall_id": "unknown"})
            field, scope = "hall_key", f"h:{hall_id}"
        docs, nxt = fetch(Representative.objects, field, scope, PageQuery.of(limit, cursor))
        return views.page(docs, nxt, view)
