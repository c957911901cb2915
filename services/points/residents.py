"""Points' read model of identity's accounts per community, to refuse a manual award naming
somebody who does not live there: kept from identity's `user.created`, seeded once from
`identity.account_names` (the pattern of `services/intake/account_names.py`), asked on the
write path by one `_id` read, never by a call to identity.

Ordering (`services.common.mirror`): until the backfill is done and the community has one
account applied, an unknown account is accepted as named (and logged); after, it is a 422.
So an account created a moment ago is refused until its event arrives (the relay's latency):
the caller retries, as the seed does.
"""

from __future__ import annotations

from services.common.caller import Role
from services.common.contracts.identity import AccountName
from services.common.errors import InvalidInput
from services.common.mirror import Mirror

ACCOUNTS = Mirror("points", "account")
# Who earns points in a community; its other accounts (grid workers, departments, merchants,
# admins) are kept as `removed`: known, and refused like an unknown one.
EARNERS = frozenset({Role.resident, Role.volunteer, Role.operator})


def not_earner(role: Role | str | None) -> bool:
    return role is not None and Role(role) not in EARNERS


def entry_of(item: dict) -> tuple[str, str, int, bool, str | None] | None:
    """A backfilled account as a mirror entry (street and district staff: no community; an
    identity without roles in the page: every account counts as a resident)."""
    account = AccountName.model_validate(item)
    if not account.community_id:
        return None
    return (account.community_id, account.user_id, account.version, not_earner(account.role),
            None)


def require_resident(community_id: str, user_id: str, field: str = "user_id") -> None:
    """A 422 naming `field` when the account is known not to live in the community."""
    if ACCOUNTS.check(community_id, user_id) is False:
        raise InvalidInput("no such resident in the community",
                           {field: "not a resident of the community"})
