"""独居老人 and their visit rota: the community admin registers an elderly person living
alone and assigns the grid worker and volunteers who visit every N days; a visitor records
each visit. An elder's details are private to their community's admin and their assigned
visitors: anyone else (street and district admins included) gets the 404 of a missing one.

Each awaited visit is a durable deadline (`next_due_ts`, the PollTimer's indexed float):
claimed with a version-conditioned commit, a missed visit fires `care.visit_missed` once
across replicas and restarts, escalated to the community admin (`run_due`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from nameko.rpc import rpc

from services.care import domain, metrics, visitors
from services.care.models import Elder, RotaSlot, Visit, new_id
from services.common import access, audit
from services.common.aggregate import Decision, change, history_of, pending_history
from services.common.caller import Caller, Role
from services.common.contracts.care import (
    ElderIn,
    ElderOut,
    ElderPage,
    EscalationOut,
    EscalationPage,
    RotaIn,
    VisitIn,
    VisitOut,
    VisitPage,
)
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, parse, replies
from services.common.store import StaleWrite

log = logging.getLogger(__name__)
BATCH = 100




def privileged(who: Caller, elder: Elder) -> bool:
    """The community's admin, or one of the elder's assigned visitors."""
    if access.is_admin_of(who, elder):
        return True
    return who.district_id == elder.district_id and who.user_id in domain.visitors(elder)


def find(who: Caller, elder_id: str) -> Elder:
    elder = Elder.objects(id=str(elder_id)).first()
    if elder is None or not privileged(who, elder):
        raise NotFound("no such elder", {"elder_id": "unknown"})
    return elder


def view(e: Elder) -> dict:
    return ElderOut(
        id=e.id, community_id=e.community_id, name=e.name, age=e.age, address=e.address,
        phone=e.phone, emergency_contact=e.emergency_contact or "", grid_id=e.grid_id,
        note=e.notes or "", grid_worker_id=e.grid_worker_id,
        volunteer_ids=list(e.volunteer_ids or []), every_days=e.every_days,
        grace_hours=round(e.grace_seconds / 3600, 3) if e.grace_seconds is not None else None,
        cycle=e.cycle or 0, visit_due_ts=e.visit_due_ts, missed=e.missed or 0,
        overdue=bool(e.cycle_missed), visits=e.visits or 0, last_visit_ts=e.last_visit_ts,
        escalate_hours=round(domain.step(e) / 3600, 4) if e.every_days else None,
        escalated_to=domain.LADDER[domain.level_of(e)] if e.cycle_missed else None,
        created_ts=e.created_ts, version=e.version).model_dump(mode="json")


def visit_view(v: Visit) -> dict:
    return VisitOut(id=v.id, elder_id=v.elder_id, visitor_id=v.visitor_id, cycle=v.cycle,
                    visited_ts=v.visited_ts, well=bool(v.well), note=v.note or "",
                    late=bool(v.late)).model_dump(mode="json")


def update(who: Caller, elder_id: str, decide) -> object:  # noqa: ANN001
    return change(lambda: Elder.objects.get(id=elder_id),
                  lambda e, at: decide(e, time.time()), who, derive=domain.derive_elder)


def _slots(elder: Elder, before: list[str]) -> None:
    """The visitors' own lists: a slot per visitor now assigned; the others' removed."""
    now_assigned = domain.visitors(elder)
    for visitor in now_assigned:
        RotaSlot._get_collection().update_one(
            {"_id": f"{visitor}|{elder.id}"},
            {"$set": {"elder_id": elder.id,
                      "visitor_key": page_key(f"v:{visitor}", elder.created_ts, elder.id)}},
            upsert=True)
    for gone in set(before) - set(now_assigned):
        RotaSlot._get_collection().delete_one({"_id": f"{gone}|{elder.id}"})


def _visit(elder: Elder, visit_id: str) -> Visit:
    found = Visit.objects(id=visit_id).first()
    if found is None:
        found = next(v for v in pending_history(elder) if v.pk == visit_id)
    return found


def run_due(now: float) -> int:
    """Elders whose awaited visit passed its grace: missed, once (any replica, restart)."""
    fired = 0
    due = Elder.objects(next_due_ts__lte=now).order_by("next_due_ts").only("id").limit(BATCH)
    for elder_id in [e.id for e in due]:
        try:
            done = update(Caller.system(), elder_id, domain.due)
        except StaleWrite:
            continue  # another replica claimed it: the next poll re-reads
        except Exception:  # one bad record must not hold the others' deadlines
            log.exception("visit deadline failed for %s", elder_id)
            continue
        if done.decision is not None and done.decision.events:
            kinds = {type(e).__name__ for e in done.decision.events}
            metrics.VISITS.labels("missed" if "CareVisitMissed" in kinds else "escalated").inc()
            fired += 1
    return fired


def escalation_view(e: Elder) -> dict:
    return EscalationOut(elder_id=e.id, community_id=e.community_id, grid_id=e.grid_id,
                         cycle=e.cycle or 0, escalated_to=domain.LADDER[domain.level_of(e)],
                         missed_since_ts=(e.visit_due_ts or 0) + (e.grace_seconds or 0),
                         escalated_ts=e.escalated_ts or 0, missed=e.missed or 0
                         ).model_dump(mode="json")


class RotaEntrypoints:
    @rpc
    @replies(ElderOut)
    def register_elder(self, caller: dict, data: dict) -> dict:
        """The community admin registers an elderly person living alone (独居老人)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        spec = parse(ElderIn, data)
        place = access.home(who, spec.community_id)
        now = time.time()
        eid = new_id("el")
        elder = Elder(id=eid, district_id=place.district_id, street_id=place.street_id,
                      community_id=place.community_id, registered_by=who.user_id,
                      created_ts=now, page_key=page_key(f"c:{place.community_id}", now, eid),
                      notes=spec.note,
                      **spec.model_dump(mode="json", exclude={"community_id", "note"}))
        return view(change(lambda: elder, lambda e, at: audit.attach(
            Decision(), who, e, "care.elder_register", "elder",
            after={"grid_id": e.grid_id}), who).doc)

    @rpc
    @replies(ElderOut)
    def assign_rota(self, caller: dict, elder_id: str, data: dict) -> dict:
        """The admin assigns the grid worker and volunteers who visit every N days."""
        who = as_caller(caller)
        spec = parse(RotaIn, data)
        elder = find(who, elder_id)
        if not access.is_admin_of(who, elder):
            raise Forbidden("the community admin assigns the rota", {"role": who.role.value})
        visitors.require_visitors(elder.community_id, spec.grid_worker_id, spec.volunteer_ids)
        before = domain.visitors(elder)
        done = update(who, elder.id, lambda e, now: audit.attach(domain.assign(
            e, spec.grid_worker_id, spec.volunteer_ids, spec.every_days, spec.first_due_ts,
            spec.grace_hours, now, spec.escalate_hours), who, e, "care.rota_assign", "elder"))
        _slots(done.doc, before)
        return view(done.doc)

    @rpc
    @replies(ElderOut)
    def get_elder(self, caller: dict, elder_id: str) -> dict:
        """An elder's details and rota: their community's admin and their visitors only."""
        return view(find(as_caller(caller), elder_id))

    @rpc
    @replies(ElderPage)
    def list_elders(self, caller: dict, community_id: str | None = None, mine: bool = False,
                    limit: int | None = None, cursor: str | None = None) -> dict:
        """The community admin's register, or (`mine`) the elders the caller visits."""
        who = as_caller(caller)
        query = PageQuery.of(limit, cursor)
        if mine:
            slots, nxt = fetch(RotaSlot.objects, "visitor_key", f"v:{who.user_id}", query)
            found = [Elder.objects(id=s.elder_id).first() for s in slots]
            return {"items": [view(e) for e in found if e is not None and privileged(who, e)],
                    "next_cursor": nxt}
        who.require_role(Role.community_admin)
        place = access.home(who, community_id)
        docs, nxt = fetch(Elder.objects, "page_key", f"c:{place.community_id}", query)
        return {"items": [view(e) for e in docs], "next_cursor": nxt}

    @rpc
    @replies(VisitOut)
    def record_visit(self, caller: dict, elder_id: str, data: dict) -> dict:
        """An assigned visitor records the awaited visit (once per visitor and cycle)."""
        who = as_caller(caller)
        spec = parse(VisitIn, data)
        elder = find(who, elder_id)
        if who.user_id not in domain.visitors(elder) and who.role is not Role.system:
            raise Forbidden("an assigned visitor records the visit", {"role": who.role.value})
        made: dict = {}

        def decide(e: Elder, now: float) -> Decision | None:
            if domain.same_visit(e, who.user_id, now):
                made["id"] = e.last_visit_id
                return None  # a double click: the visit just recorded
            vid = f"{e.id}:{e.cycle}:{who.user_id}"
            decision, late = domain.visited(e, who.user_id, spec.well, now)
            visit = Visit(id=vid, elder_id=e.id, community_id=e.community_id,
                          visitor_id=who.user_id, cycle=e.cycle, visited_ts=now,
                          well=spec.well, note=spec.note, late=late,
                          page_key=page_key(f"e:{e.id}", now, vid))
            made.update(id=vid, doc=visit)
            return replace(decision, history=[visit])  # rides in the elder's own write

        done = update(who, elder.id, decide)
        if done.decision is not None:
            metrics.VISITS.labels("late" if made["doc"].late else "made").inc()
            return visit_view(made["doc"])
        return visit_view(_visit(done.doc, made["id"]))

    @rpc
    @replies(EscalationPage)
    def list_escalations(self, caller: dict, street_id: str | None = None,
                         limit: int | None = None, cursor: str | None = None) -> dict:
        """Elders of a street whose missed visit went up to the street or the district,
        latest first: the street's admins (their own street) and the district's (naming
        one). Where and since when only, never who."""
        who = as_caller(caller)
        who.require_role(Role.street_admin, Role.district_admin)
        if who.role is Role.street_admin:
            if street_id not in (None, who.street_id):
                raise NotFound("no such street", {"street_id": "unknown"})
            street_id = who.street_id
        elif not street_id:
            raise InvalidInput("name the street", {"street_id": "required"})
        docs, nxt = fetch(Elder.objects, "escalation_key", f"s:{who.district_id}:{street_id}",
                          PageQuery.of(limit, cursor))
        return {"items": [escalation_view(e) for e in docs], "next_cursor": nxt}

    @rpc
    @replies(VisitPage)
    def list_visits(self, caller: dict, elder_id: str, limit: int | None = None,
                    cursor: str | None = None) -> dict:
        """An elder's visits, latest first (the admin and the visitors)."""
        who = as_caller(caller)
        elder = find(who, elder_id)
        docs, nxt = fetch(Visit.objects, "page_key", f"e:{elder.id}", PageQuery.of(limit, cursor))
        if not cursor:  # the newest, not moved by the relay yet, lead the first page
            docs = history_of(elder, docs, key=lambda v: v.page_key)[::-1]
        return {"items": [visit_view(v) for v in docs], "next_cursor": nxt}
