"""Registering a person as a responder needs the person's consent (双报到 is their act).

A member who reports in themselves consents by doing it. An admin's registration of a
person is pending until that person accepts it, and only an account of the community,
whose role fits the kind, may accept. A unit (department) is not a person: its
registration stands at once. No I/O.
"""

from __future__ import annotations

from services.common.caller import Caller, Role
from services.common.errors import Forbidden

GIVEN, PENDING = "given", "pending"
# The kinds a role reports in as (volunteers are party members or volunteers).
SELF_KINDS: dict[Role, tuple[str, ...]] = {
    Role.volunteer: ("party_member", "volunteer"), Role.operator: ("operator",),
    Role.grid_worker: ("grid_worker",)}


def consent_on_register(registrant: Caller, kind: str, user_id: str | None) -> str:
    """GIVEN when the registrant registers itself or a unit; PENDING for anyone else."""
    if kind == "department" or registrant.role is Role.system:
        return GIVEN
    return GIVEN if user_id == registrant.user_id else PENDING


def check_may_accept(person: Caller, kind: str, user_id: str | None,
                     community_id: str) -> None:
    """The named person, an account of the community whose role reports in as `kind`."""
    if person.user_id != user_id:
        raise Forbidden("only the person registered accepts", {"responder_id": "not yours"})
    if kind not in SELF_KINDS.get(person.role, ()):
        raise Forbidden(f"a {person.role.value} is not registered as {kind}",
                        {"kind": "does not fit your role"})
    if person.community_id != community_id:
        raise Forbidden("a community registers its own members",
                        {"community_id": "you are not a member of this community"})
