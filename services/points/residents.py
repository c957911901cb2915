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

from services.common.contracts.identity import AccountName
from services.common.errors import InvalidInput
from services.common.mirror import Mirror

ACCOUNTS = Mirror("points", "account")


def entry_of(item: dict) -> tuple[str, str, int, bool, str | None] | None:
    """A backfilled account as a mirror entry (street and district staff: no community)."""
    account = AccountName.model_validate(item)
    if not account.community_id:
        return None
    return account.community_id, account.user_id, account.version, False, None


def require_resident(community_id: str, user_id: str, field: str = "user_id") -> None:
    """A 422 naming `field` when the account is known not to live in the community."""
    if ACCOUNTS.check(community_id, user_id) is False:
        raise InvalidInput("no such account in the community",
                           {field: "not an account of the community"})
