"""Responders: units with responsibilities by category and jurisdiction, members reporting in."""

from __future__ import annotations

from typing import Any

from mongoengine.errors import NotUniqueError
from nameko.rpc import rpc

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, Role
from services.common.contracts.dispatch import ResponderIn, ResponderOut
from services.common.errors import AlreadyExists, Forbidden, InvalidInput, NotFound
from services.common.rpc import as_caller, dump, parse, replies
from services.dispatch import grids
from services.dispatch.domain import consent
from services.dispatch.domain.consent import SELF_KINDS
from services.dispatch.models import Grid, Responder


def _view(responder: Responder) -> dict[str, Any]:
    return dump(ResponderOut.model_validate(responder))


class ResponderEntrypoints:
    @rpc
    @replies(ResponderOut)
    def register_responder(self, caller: dict, data: dict) -> dict:
        """Register a responder: members report in themselves (双报到); admins add units, and
        persons pending the person's consent (`accept_responder`)."""
        who = as_caller(caller)
        spec = parse(ResponderIn, data)
        if who.role in SELF_KINDS and who.role is not Role.system:
            if spec.kind not in SELF_KINDS[who.role] or spec.kind == "department":
                raise Forbidden(f"a {who.role.value} reports in as {SELF_KINDS[who.role][0]}",
                                {"kind": "not yours"})
            spec = spec.model_copy(update={"user_id": who.user_id, "department_id": None})
        else:
            who.require_role(*ADMIN_ROLES)
        policy = grids.policy_for(who, spec.community_id)
        if spec.kind == "department" and not spec.department_id:
            raise InvalidInput("a unit needs its id", {"department_id": "required"})
        if spec.kind != "department" and not spec.user_id:
            raise InvalidInput("a member needs their user id", {"user_id": "required"})
        known = {g.id for g in Grid.objects(community_id=policy.id).only("id")}
        unknown = [g for g in [*spec.jurisdiction, spec.home_grid_id] if g and g not in known]
        if unknown:
            raise InvalidInput("unknown grids", {"jurisdiction": ", ".join(unknown)})
        key = (f"department:{spec.department_id}" if spec.kind == "department"
               else f"member:{spec.user_id}")
        fields = spec.model_dump(exclude={"community_id"})
        agreed = consent.consent_on_register(who, spec.kind, spec.user_id)
        try:
            responder = Responder(community_id=policy.id, key=key, consent=agreed, **fields)
            audit.record_on(responder, who, "responder.register", "responder", responder.id,
                            before={}, after={"key": key, "kind": spec.kind,
                                              "name": spec.name, "consent": agreed},
                            community_id=policy.id, street_id=policy.street_id,
                            district_id=policy.district_id)
            responder.commit()
        except NotUniqueError as exc:
            raise AlreadyExists("already registered here", {"key": key}) from exc
        return _view(responder)

    @rpc
    @replies(ResponderOut)
    def accept_responder(self, caller: dict, responder_id: str) -> dict:
        """The person registered by an admin consents (a registration naming someone else is
        not found: a pending record is its person's and its community's only)."""
        who = as_caller(caller)
        responder = Responder.objects(id=str(responder_id)).first()
        if responder is None or responder.user_id != who.user_id:
            raise NotFound("no such responder", {"responder_id": "unknown"})
        consent.check_may_accept(who, responder.kind, responder.user_id,
                                 responder.community_id)
        responder.consent = consent.GIVEN
        responder.save()
        return _view(responder)

    @rpc
    @replies(ResponderOut)
    def set_on_duty(self, caller: dict, responder_id: str, on_duty: bool) -> dict:
        """On-duty status: an off-duty unit is not picked as the responsible department."""
        who = as_caller(caller)
        responder = Responder.objects(id=str(responder_id)).first()
        if responder is None:
            raise NotFound("no such responder", {"responder_id": "unknown"})
        grids.policy_for(who, responder.community_id)
        mine = who.user_id == responder.user_id or (
            who.role is Role.department and who.department_id == responder.department_id)
        if not mine and who.role not in ADMIN_ROLES and who.role is not Role.system:
            raise NotFound("no such responder", {"responder_id": "unknown"})  # as made up
        # Responders written before they were aggregates carry no version: the frame's guard.
        Responder._get_collection().update_one(
            {"_id": responder.id, "version": {"$exists": False}}, {"$set": {"version": 0}})
        done = change(lambda: Responder.objects.get(id=responder.id), audit.audited(
            lambda r, _at: Decision(changes={"on_duty": bool(on_duty)}), who,
            "responder.set_on_duty", "responder"), who)
        return _view(done.doc)

    @rpc
    @replies(list[ResponderOut])
    def list_responders(self, caller: dict, community_id: str | None = None,
                        category: str | None = None) -> list[dict]:
        """The community's responders (staff), optionally those responsible for a category."""
        who = as_caller(caller)
        who.require_role(*ADMIN_ROLES, Role.grid_worker)
        policy = grids.policy_for(who, community_id)
        query = Responder.objects(community_id=policy.id)
        if category:
            query = query.filter(categories=category)
        return [_view(r) for r in query.order_by("kind", "name")]
