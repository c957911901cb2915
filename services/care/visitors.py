"""Care's read model of who may visit an elder: identity's grid workers and volunteers per
community, kept from `user.created`, seeded once from `identity.account_names`, asked on the
rota's write path by `_id` reads, never by a call to identity (`services.common.mirror`).

A rota naming a grid worker or a volunteer the community does not have would leave an
elder living alone unvisited until the missed-visit ladder noticed: once the mirror is
primed for the community, such a name is a 422 naming the field. Until then (a first start,
identity down) it is accepted as named and logged, as every mirror does.
"""

from __future__ import annotations

from collections.abc import Callable

from services.common.caller import Role
from services.common.contracts.identity import AccountName
from services.common.errors import InvalidInput
from services.common.mirror import Mirror

GRID_WORKERS = Mirror("care", "grid_worker")
VOLUNTEERS = Mirror("care", "volunteer")
# who volunteers: a volunteer or a community operator (社区运营官)
VOLUNTEER_ROLES = frozenset({Role.volunteer, Role.operator})


def mirror_of(role: Role | str | None) -> Mirror | None:
    if role is None:
        return None
    if Role(role) is Role.grid_worker:
        return GRID_WORKERS
    return VOLUNTEERS if Role(role) in VOLUNTEER_ROLES else None


def learn(community_id: str | None, user_id: str, role: Role | str | None) -> None:
    """An account identity announced: kept if it may visit (version 1: accounts keep their
    role and community)."""
    mirror = mirror_of(role)
    if community_id and mirror is not None:
        mirror.apply(community_id, user_id, 1)


Entry = tuple[str, str, int, bool, str | None]


def entry_for(mirror: Mirror) -> Callable[[dict], Entry | None]:
    """The backfill's item → entry of `mirror` (None: an account it does not keep)."""
    def entry_of(item: dict) -> Entry | None:
        account = AccountName.model_validate(item)
        if not account.community_id or mirror_of(account.role) is not mirror:
            return None
        return account.community_id, account.user_id, 1, False, None
    return entry_of


def require_visitors(community_id: str, grid_worker_id: str, volunteer_ids: list[str]) -> None:
    """A 422 naming the field of the first visitor known not to be the community's."""
    if GRID_WORKERS.check(community_id, grid_worker_id) is False:
        raise InvalidInput("no such grid worker in the community",
                           {"grid_worker_id": "not a grid worker of the community"})
    for volunteer_id in volunteer_ids:
        if VOLUNTEERS.check(community_id, volunteer_id) is False:
            raise InvalidInput("no such volunteer in the community",
                               {"volunteer_ids": f"{volunteer_id} is not a volunteer of the "
                                                 "community"})
