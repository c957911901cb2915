"""The four lists (四张清单) and their projects: problems, needs and resources entered by the
community's admins; a need matched to resources at the joint meeting becomes a project with
an owner unit and milestones, published to the residents (公示); its last milestone writes
`project.completed`."""

from __future__ import annotations

import time
from typing import Any

from nameko.rpc import rpc

from services.common import access, audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.intake import IssueTriaged
from services.common.contracts.volunteers import (
    ListEntryIn,
    ListEntryOut,
    ListEntryPage,
    ListKind,
    ProjectIn,
    ProjectOut,
    ProjectPage,
    ProjectStarted,
)
from services.common.contracts.workflow import IssueClass
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, dump, parse, replies
from services.volunteers.domain import projects as rules
from services.volunteers.domain import renewal as renewal_rules
from services.volunteers.models import ListEntry, Project

RESIDENTS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker)


def problem_id(issue_id: str) -> str:
    return f"le-i-{issue_id}"


def problem_from_issue(event: IssueTriaged, caller: Caller) -> ListEntry | None:
    """问题清单: a public issue of intake, once (the entry's id is the issue's: a redelivery
    finds it by `_id`, a concurrent one's insert is stale and its retry finds it). Other
    classes of issue (hardship, priority, special) are not for the public list."""
    if event.issue_class is not IssueClass.public:
        return None
    entry_id = problem_id(event.issue_id)
    if ListEntry.objects(id=entry_id).only("id").first() is not None:
        return None
    text = " ".join(event.summary.split()) or event.category
    entry = ListEntry(id=entry_id, district_id=event.district_id, street_id=event.street_id,
                      community_id=event.community_id, list=ListKind.problem.value,
                      title=text[:80], detail=event.summary[:500] or text,
                      issue_id=event.issue_id, created_ts=time.time())
    entry.page_key = page_key(f"c:{event.community_id}:{ListKind.problem.value}",
                              entry.created_ts, entry.id)
    # A concurrent delivery that made it first: the commit is stale, the retry loads theirs.
    done = change(lambda: ListEntry.objects(id=entry_id).first() or entry,
                  lambda e, at: Decision() if e._created else None, caller)
    return done.doc if done.decision is not None else None


def entry_view(entry: ListEntry) -> dict[str, Any]:
    return dump(ListEntryOut(**{name: getattr(entry, name) for name in ListEntryOut.model_fields}))


DERIVED = ("pledges", "photos_before", "photos_after", "kind")


def project_view(project: Project, admin: bool = True) -> dict[str, Any]:
    """A project as `admin` (its staff) or a resident sees it: a renewal's after photos only
    once it is done, but to its staff (renewal.py: the photos' links)."""
    fields = {name: getattr(project, name) for name in ProjectOut.model_fields
              if name not in DERIVED}
    links = {phase: [f"/projects/{project.id}/photos/{p}"
                     for p in renewal_rules.photo_ids(project, phase, admin)]
             for phase in ("before", "after")}
    return dump(ProjectOut(**fields, kind=project.kind or "project",
                           pledges=len(project.pledges or []),
                           photos_before=links["before"], photos_after=links["after"]))



def project_keys(project: Project) -> None:
    project.page_key = page_key(f"c:{project.community_id}", project.created_ts, project.id)
    project.public_key = (page_key(f"c:{project.community_id}:public", project.created_ts,
                                   project.id) if project.state != "planned" else None)


class ListEntrypoints:
    @rpc
    @replies(ListEntryOut)
    def add_list_entry(self, caller: dict, data: dict) -> dict:
        """A need or resource on the community's lists (community admins); problems come from
        intake's public issues (`problem_from_issue`), never by hand (the contract refuses)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        spec = parse(ListEntryIn, data)
        place = access.home(who, spec.community_id)
        now = time.time()
        entry = ListEntry(district_id=place.district_id, street_id=place.street_id,
                          community_id=place.community_id, created_ts=now,
                          **spec.model_dump(mode="json", exclude={"community_id"}))
        entry.page_key = page_key(f"c:{place.community_id}:{spec.list.value}", now, entry.id)
        return entry_view(change(lambda: entry, lambda e, at: audit.attach(
            Decision(), who, e, "list_entry.add", "list_entry", before={},
            after=spec.model_dump(mode="json", exclude={"community_id"})), who).doc)

    @rpc
    @replies(ListEntryPage)
    def list_entries(self, caller: dict, kind: str, community_id: str | None = None,
                     limit: int | None = None, cursor: str | None = None) -> dict:
        """One of the lists, newest first (the community's people and admins)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin, *RESIDENTS)
        try:
            which = ListKind(kind)
        except ValueError:
            raise InvalidInput("no such list", {"kind": "problem, need or resource"}) from None
        place = access.home(who, community_id)
        docs, nxt = fetch(ListEntry.objects, "page_key",
                          f"c:{place.community_id}:{which.value}", PageQuery.of(limit, cursor))
        return {"items": [entry_view(d) for d in docs], "next_cursor": nxt}

    @rpc
    @replies(ProjectOut)
    def start_project(self, caller: dict, data: dict) -> dict:
        """A need and its resources become a project (the need and resources: matched)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        spec = parse(ProjectIn, data)
        place = access.home(who, None)
        need = self._entry(who, spec.need_id, "need_id", ListKind.need)
        resources = [self._entry(who, r, "resource_ids", ListKind.resource)
                     for r in dict.fromkeys(spec.resource_ids)]
        for entry in (need, *resources):
            if entry.state != "open":
                raise Conflict("already in a project", {"need_id" if entry is need
                                                        else "resource_ids": entry.id})
        now = time.time()
        project = Project(district_id=place.district_id, street_id=place.street_id,
                          community_id=place.community_id, need_id=need.id,
                          resource_ids=[r.id for r in resources], owner_unit_id=spec.owner_unit_id,
                          title=spec.title, participants=list(spec.participant_account_ids),
                          milestones=[m.model_dump(mode="json") | {"done_ts": None}
                                      for m in spec.milestones], created_ts=now)
        started = ProjectStarted(project_id=project.id, community_id=project.community_id,
                                 need_id=need.id, owner_unit_id=project.owner_unit_id,
                                 title=project.title, started_ts=now)
        done = change(lambda: project, lambda p, at: audit.attach(
            Decision(events=[started]), who, p, "project.start", "project", before={},
            after={"title": p.title, "need_id": p.need_id, "resource_ids": p.resource_ids}),
            who, derive=project_keys)
        # The entries follow the project's commit (a crash between leaves them open: the
        # project, which is what counts, exists; a retry of the same need is refused by it).
        for entry in (need, *resources):
            change(lambda e=entry: ListEntry.objects.get(id=e.id),
                   lambda e, at: Decision(changes={"state": "matched",
                                                   "project_id": done.doc.id}), who)
        return project_view(done.doc)

    @rpc
    @replies(ProjectOut)
    def publish_project(self, caller: dict, project_id: str) -> dict:
        """公示: the project is shown to the community's residents."""
        who = as_caller(caller)
        project = self._project(who, project_id, admin=True)
        return project_view(change(lambda: Project.objects.get(id=project.id),
                                   lambda p, at: rules.publish(p, time.time()), who,
                                   derive=project_keys).doc)

    @rpc
    @replies(ProjectOut)
    def complete_milestone(self, caller: dict, project_id: str, index: int) -> dict:
        """A milestone is done; the last one completes the project (`project.completed`)."""
        who = as_caller(caller)
        project = self._project(who, project_id, admin=True)
        if not isinstance(index, int) or isinstance(index, bool):
            raise NotFound("no such milestone", {"index": "unknown"})
        return project_view(change(lambda: Project.objects.get(id=project.id),
                                   lambda p, at: rules.complete_milestone(p, index, time.time()),
                                   who, derive=project_keys).doc)

    @rpc
    @replies(ProjectOut)
    def get_project(self, caller: dict, project_id: str) -> dict:
        """A project: residents see it once published."""
        who = as_caller(caller)
        project = self._project(who, project_id, admin=False)
        return project_view(project, access.is_staff_over(who, project))

    @rpc
    @replies(ProjectPage)
    def list_projects(self, caller: dict, community_id: str | None = None,
                      limit: int | None = None, cursor: str | None = None) -> dict:
        """The community's projects (admins: all; residents: the published ones)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin, *RESIDENTS)
        place = access.home(who, community_id)
        field, scope = (("page_key", f"c:{place.community_id}")
                        if access.is_admin_of(who, place)
                        else ("public_key", f"c:{place.community_id}:public"))
        docs, nxt = fetch(Project.objects, field, scope, PageQuery.of(limit, cursor))
        staff = field == "page_key"
        return {"items": [project_view(d, staff) for d in docs], "next_cursor": nxt}

    def _entry(self, who: Caller, entry_id: str, field: str, kind: ListKind) -> ListEntry:
        entry = ListEntry.objects(id=str(entry_id)).first()
        if entry is None or entry.community_id != who.community_id or entry.list != kind.value:
            raise NotFound(f"no such {kind.value}", {field: str(entry_id)[:96]})
        return entry

    def _project(self, who: Caller, project_id: str, admin: bool) -> Project:
        project = access.found(who, Project.objects(id=str(project_id)).first(), "project",
                               "project_id")
        if access.is_admin_of(who, project):
            return project
        if not admin and access.is_staff_over(who, project):  # street and district admins
            return project
        if admin or who.role not in RESIDENTS or project.state == "planned":
            raise NotFound("no such project", {"project_id": "unknown"})
        return project
