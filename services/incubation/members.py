"""What an organisation holds: its members (a paged list, contacts for its founder and the
community admin), its resources, and the four lists' projects it owns (checked against the
read model of volunteers' projects, never by a call)."""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.contracts.incubation import (
    MemberIn,
    MemberPage,
    OrganisationOut,
    ProjectLinkIn,
    ResourceIn,
)
from services.common.paging import PageQuery, slice_of
from services.common.rpc import as_caller, parse, replies
from services.incubation import domain
from services.incubation.models import KnownProject, new_id
from services.incubation.organisations import update
from services.incubation.views import founder_or_admin, view


class MemberEntrypoints:
    @rpc
    @replies(OrganisationOut)
    def add_member(self, caller: dict, organisation_id: str, data: dict) -> dict:
        """The founder or the admin adds a member (招募); one already in: nothing."""
        who = as_caller(caller)
        spec = parse(MemberIn, data)
        org = founder_or_admin(who, organisation_id)
        done = update(who, org.id, lambda o, now: domain.add_member(
            o, spec.account_id, spec.name, spec.phone, now), "add_member")
        return view(who, done.doc)

    @rpc
    @replies(OrganisationOut)
    def remove_member(self, caller: dict, organisation_id: str, account_id: str) -> dict:
        """A member leaves (the founder stays)."""
        who = as_caller(caller)
        org = founder_or_admin(who, organisation_id)
        done = update(who, org.id, lambda o, now: domain.remove_member(o, str(account_id)),
                      "remove_member")
        return view(who, done.doc)

    @rpc
    @replies(MemberPage)
    def list_members(self, caller: dict, organisation_id: str, limit: int | None = None,
                     cursor: str | None = None) -> dict:
        """The members in the order they joined, with contacts (founder and admin only)."""
        who = as_caller(caller)
        org = founder_or_admin(who, organisation_id)
        query = PageQuery.of(limit, cursor)
        rows, nxt = slice_of(list(org.members or ()), f"members:{org.id}", query)
        return {"items": rows, "next_cursor": nxt}

    @rpc
    @replies(OrganisationOut)
    def add_resource(self, caller: dict, organisation_id: str, data: dict) -> dict:
        """A space, funds or equipment offered to or assigned to the organisation."""
        who = as_caller(caller)
        spec = parse(ResourceIn, data)
        org = founder_or_admin(who, organisation_id)
        resource_id = new_id("res")
        done = update(who, org.id, lambda o, now: domain.add_resource(
            o, resource_id, spec.model_dump(mode="json"), now), "add_resource")
        return view(who, done.doc)

    @rpc
    @replies(OrganisationOut)
    def link_project(self, caller: dict, organisation_id: str, data: dict) -> dict:
        """A project of the four lists the organisation owns (known from volunteers)."""
        who = as_caller(caller)
        spec = parse(ProjectLinkIn, data)
        org = founder_or_admin(who, organisation_id)
        project = KnownProject.objects(id=spec.project_id).first()
        done = update(who, org.id, lambda o, now: domain.link_project(o, project),
                      "link_project")
        return view(who, done.doc)

