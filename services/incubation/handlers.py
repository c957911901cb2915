"""Events incubation consumes from volunteers: an organisation's activity checked in (held:
counted once per activity, whatever the redeliveries), and the four lists' projects (the
read model a link is checked against; a project whose owner unit is an organisation is
linked to it at once). Each write is idempotent by the source: the activity id kept on the
organisation, the project's id as the read model's key."""

from __future__ import annotations

import contextlib

from services.common.caller import Caller
from services.common.contracts import Envelope
from services.common.contracts.volunteers import (
    ActivityCheckedIn,
    ProjectCompleted,
    ProjectStarted,
)
from services.common.errors import DomainError
from services.common.inbox import handles
from services.incubation import domain
from services.incubation.models import KnownProject, Organisation
from services.incubation.organisations import update


def _of_an_organisation(envelope: Envelope) -> bool:
    return bool(envelope.parsed().organisation_id)


def _known(org_id: str) -> bool:
    return Organisation.objects(id=org_id).only("id").first() is not None


class EventHandlers:
    @handles("volunteers", "activity.checked_in", when=_of_an_organisation)
    def on_activity_checked_in(self, envelope: Envelope) -> None:
        """The first check-in at an organisation's activity: one activity held (试运行)."""
        event: ActivityCheckedIn = envelope.parsed()
        if event.organisation_id and _known(event.organisation_id):
            update(Caller.system(request_id=envelope.correlation_id), event.organisation_id,
                   lambda o, now: domain.activity_held(o, event.activity_id,
                                                       event.community_id))

    @handles("volunteers", "project.started")
    def on_project_started(self, envelope: Envelope) -> None:
        event: ProjectStarted = envelope.parsed()
        KnownProject._get_collection().update_one({"_id": event.project_id}, {"$set": {
            "community_id": event.community_id, "owner_unit_id": event.owner_unit_id,
            "title": event.title}, "$setOnInsert": {"state": "started"}}, upsert=True)
        if _known(event.owner_unit_id):
            project = KnownProject.objects(id=event.project_id).first()
            # another community's, or the organisation's list is full: not linked
            with contextlib.suppress(DomainError):
                update(Caller.system(request_id=envelope.correlation_id),
                       event.owner_unit_id, lambda o, now: domain.link_project(o, project))

    @handles("volunteers", "project.completed")
    def on_project_completed(self, envelope: Envelope) -> None:
        event: ProjectCompleted = envelope.parsed()
        KnownProject._get_collection().update_one({"_id": event.project_id}, {"$set": {
            "community_id": event.community_id, "owner_unit_id": event.owner_unit_id,
            "title": event.title, "state": "completed"}}, upsert=True)
