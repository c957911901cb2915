"""微更新 (micro-renewal of shared spaces): a deliberation decision approving a renewal topic
becomes a renewal project of the four lists (`decision.approved`, idempotent by the
decision's id); partner merchants in the public-good mode and residents pledge to its budget;
its before and after photos (EXIF-free copies, in this service's GridFS) are published with
it (公示).

A merchant's pledge names the partner as the community admin declares it (`merchant_id` as
points onboarded it): points owns the partners and publishes no event of them, and the
admin who records the pledge is the one who onboarded the merchant; the act is audited.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

import mongoengine as me
from nameko.rpc import rpc

from services.common import access, audit, photos
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.audit import AuditRecorded
from services.common.contracts.deliberation import DecisionApproved, TopicKind
from services.common.contracts.volunteers import (
    DonorKind,
    PledgeIn,
    PledgeOut,
    PledgePage,
    ProjectOut,
    ProjectPhotoOut,
)
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.paging import PageQuery
from services.common.rpc import as_caller, parse, replies
from services.volunteers import lists
from services.volunteers.domain import renewal as rules
from services.volunteers.models import ALIAS, Project, new_id

BUCKET = "project_photos"
PLEDGERS = (Role.community_admin, *lists.RESIDENTS)


def is_renewal(event: DecisionApproved) -> bool:
    return event.topic_kind == TopicKind.renewal.value and event.renewal is not None


def from_decision(event: DecisionApproved, occurred_ts: float, caller: Caller) -> Project | None:
    """The renewal of an approved decision, planned, once: a redelivery finds it by `_id`
    (a concurrent one's insert loses, and its retry finds the winner's)."""
    terms = event.renewal
    if terms is None:
        return None
    made_id = rules.project_id(event.decision_id)
    if Project.objects(id=made_id).only("id").first() is not None:
        return None
    project = Project(
        id=made_id, kind="renewal", district_id=event.district_id, street_id=event.street_id,
        community_id=event.community_id, topic_id=event.topic_id,
        decision_id=event.decision_id, owner_unit_id=event.department_id or "community",
        title=(event.title or event.summary)[:80], place=terms.place, building=terms.building,
        grid_id=terms.grid_id, budget_yuan=terms.budget_yuan, resource_ids=[],
        milestones=[{"title": t.summary[:80], "due_ts": event.deadline_ts, "done_ts": None}
                    for t in event.tasks],
        participants=[], created_ts=occurred_ts)
    done = change(lambda: Project.objects(id=made_id).first() or project,
                  lambda p, at: Decision() if p._created else None, caller,
                  derive=lists.project_keys)
    return done.doc if done.decision is not None else None


def funded_audit(who: Caller, project: Project, pledged_yuan: int,
                 now: float) -> list[AuditRecorded]:
    """The move to funded is on the record whoever's pledge made it (a resident's too: the
    money a community spends is audited however it came)."""
    return [AuditRecorded(
        actor_id=who.user_id, actor_role=who.role, district_id=project.district_id,
        street_id=project.street_id, community_id=project.community_id,
        action="project.funded", record_type="project", record_id=project.id,
        before={"state": "published"},
        after={"state": "funded", "pledged_yuan": pledged_yuan}, ts=now,
        request_id=audit.request_id(who))]


def pledge_view(row: dict[str, Any], who: Caller, project: Project) -> PledgeOut:
    mine = bool(row.get("account_id")) and row.get("account_id") == who.user_id
    admin = access.is_admin_of(who, project)
    return PledgeOut(id=row["id"], donor_kind=row["donor_kind"],
                     donor=rules.donor_shown(row, full=admin or mine),
                     merchant_id=row.get("merchant_id"),
                     account_id=row.get("account_id") if admin or mine else None,
                     amount_yuan=row.get("amount_yuan"), in_kind=row.get("in_kind"),
                     pledged_ts=row["pledged_ts"])


class RenewalEntrypoints:
    """Needs the service's `store` (the photo size limit) and ListEntrypoints' `_project`."""

    store: Any

    @rpc
    @replies(ProjectOut)
    def pledge_project(self, caller: dict, project_id: str, data: dict) -> dict:
        """A pledge to a published renewal: the community admin records a merchant's (or a
        resident's handed in); a resident pledges self-funding for themselves."""
        who = as_caller(caller)
        who.require_role(*PLEDGERS)
        spec = parse(PledgeIn, data)
        project = self._project(who, project_id, admin=False)
        admin = access.is_admin_of(who, project)
        if not admin and who.community_id != project.community_id:
            raise NotFound("no such project", {"project_id": "unknown"})
        if not admin and spec.donor_kind is not DonorKind.resident:
            raise Forbidden("a resident pledges for themselves",
                            {"donor_kind": "resident only"})
        now, pledge_id = time.time(), new_id("pl")
        row = rules.pledge_row(project.id, pledge_id, spec, None if admin else who.user_id, now)

        def decide(p: Project, at: object) -> Decision | None:
            made = rules.pledge(p, row, now)
            total = made.changes["pledged_yuan"]
            if made.changes.get("state") == "funded":
                made = Decision(changes=made.changes,
                                events=funded_audit(who, p, total, now))
            return audit.attach(made, who, p, "project.pledge", "project",
                                before={"pledged_yuan": p.pledged_yuan},
                                after={"pledged_yuan": total, "pledge": {k: row[k] for k in (
                                    "id", "donor_kind", "merchant_id", "amount_yuan",
                                    "in_kind")}})

        done = change(lambda: Project.objects.get(id=project.id), decide, who,
                      derive=lists.project_keys)
        return lists.project_view(done.doc, admin)

    @rpc
    @replies(PledgePage)
    def project_pledges(self, caller: dict, project_id: str, limit: int | None = None,
                        cursor: str | None = None) -> dict:
        """A renewal's donors, newest first (residents' names masked unless shown)."""
        who = as_caller(caller)
        project = self._project(who, project_id, admin=False)
        rows, nxt = rules.page(project.pledges or [], f"pj:{project.id}",
                               PageQuery.of(limit, cursor))
        return {"items": [pledge_view(dict(r), who, project) for r in rows], "next_cursor": nxt}

    @rpc
    @replies(ProjectOut)
    def add_project_photo(self, caller: dict, project_id: str, phase: str,
                          data_b64: str) -> dict:
        """A before or after photo of a renewal (its community admin): the original and an
        EXIF-free copy, the copy the one anyone is shown."""
        who = as_caller(caller)
        which = rules.check_phase(phase)
        project = self._project(who, project_id, admin=True)
        rules.add_photo(project, which, "p-check", time.time())  # refused before the upload
        try:
            data = base64.b64decode(data_b64, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise InvalidInput("the photo is not base64", {"file": "not base64"}) from None
        fmt = photos.check_image(data, self.store.settings.max_photo_bytes)
        photo_id = photos.store(me.get_db(ALIAS), {"project_id": project.id}, data, fmt, BUCKET)
        done = change(lambda: Project.objects.get(id=project.id), lambda p, at: audit.attach(
            rules.add_photo(p, which, photo_id, time.time()), who, p, "project.photo",
            "project", before={}, after={"photo_id": photo_id, "phase": which.value}), who,
            derive=lists.project_keys)
        return lists.project_view(done.doc, True)

    @rpc
    @replies(ProjectPhotoOut)
    def project_photo(self, caller: dict, project_id: str, photo_id: str) -> dict:
        """A renewal's photo, the EXIF-free copy, for those who see it in the project."""
        who = as_caller(caller)
        project = self._project(who, project_id, admin=False)
        admin = access.is_staff_over(who, project)
        shown = {*rules.photo_ids(project, "before", admin),
                 *rules.photo_ids(project, "after", admin)}
        if photo_id not in shown:
            raise NotFound("no such photo", {"photo_id": "unknown"})
        data, content_type = photos.load(me.get_db(ALIAS), {"project_id": project.id},
                                         photo_id, public=True, bucket=BUCKET)
        return {"content_type": content_type, "data": base64.b64encode(data).decode()}
