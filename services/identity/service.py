"""Identity service (身份与租户): the tenancy registry and accounts.

The class only wires dependencies; each entrypoint parses its input, calls
`tenancy` or `accounts` and returns a contract model as a dict.
"""

from __future__ import annotations

import logging

from nameko.rpc import rpc
from nameko.timer import timer

from services.common.caller import Caller, Role
from services.common.contracts import Envelope
from services.common.contracts.dispatch import GridChanged, GridRemoved
from services.common.contracts.identity import (
    AccountName,
    CommunityIn,
    Credentials,
    StreetIn,
    Unit,
    UserIn,
    UserOut,
)
from services.common.inbox import handles
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.paging import Page, PageQuery
from services.common.rpc import TimedRpcProxy, as_caller, dump, parse, replies
from services.common.store import Store
from services.identity import accounts, grids, tenancy
from services.identity.models import DOCUMENTS, District
from services.identity.tenancy import unit_of

log = logging.getLogger(__name__)
BACKFILL_SECONDS = 5  # once done, a tick is one read by _id


class IdentityService:
    name = "identity"
    store = Store("identity", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()
    # Off the request path only: the grid backfill (within LINLI_RPC_TIMEOUT_SECONDS).
    dispatch = TimedRpcProxy("dispatch")

    @handles("dispatch", "grid.changed")
    def on_grid_changed(self, envelope: Envelope) -> None:
        """Keep identity's copy of the grid (an account's grid is checked on it)."""
        changed: GridChanged = envelope.parsed()
        grids.GRIDS.apply(changed.community_id, changed.grid_id, changed.version,
                          name=changed.name)

    @handles("dispatch", "grid.removed")
    def on_grid_removed(self, envelope: Envelope) -> None:
        removed: GridRemoved = envelope.parsed()
        grids.GRIDS.apply(removed.community_id, removed.grid_id, removed.version, removed=True)

    @timer(interval=BACKFILL_SECONDS)  # not eager: RPC replies are not consumed yet at start
    def backfill_grids(self) -> None:
        """Copy the grids dispatch made before identity listened (once; retried while it is
        down: until then an account's grid is not checked)."""
        try:
            grids.GRIDS.backfill(lambda q: self.dispatch.grid_states(dump(Caller.system()), q),
                                 grids.entry_of)
        except Exception as exc:  # dispatch down (Unavailable) or older: the next tick
            log.warning("grid backfill not done yet: %r", exc)

    @rpc
    @replies(UserOut | None)
    def authenticate(self, credentials: dict) -> UserOut | None:
        """Check a username and password; the account, or None (the gateway signs the token)."""
        user = accounts.authenticate(parse(Credentials, credentials))
        return accounts.user_out(user) if user else None

    @rpc
    @replies(Unit)
    def create_district(self, caller: dict, data: dict) -> dict:
        """Create a district (system only: districts come with a deployment)."""
        who = as_caller(caller)
        return dump(unit_of(tenancy.create_district(who, data)))

    @rpc
    @replies(Unit | None)
    def find_district(self, caller: dict, code: str) -> dict | None:
        """The district with `code`, if any."""
        as_caller(caller)
        district = District.objects(code=code).first()
        return dump(unit_of(district)) if district else None

    @rpc
    @replies(Unit)
    def create_street(self, caller: dict, data: dict) -> dict:
        """Add a street (街道) to a district."""
        who = as_caller(caller)
        return dump(unit_of(tenancy.create_street(who, parse(StreetIn, data))))

    @rpc
    @replies(Unit)
    def create_community(self, caller: dict, data: dict) -> dict:
        """Add a community (社区, the tenant) to a street."""
        who = as_caller(caller)
        return dump(unit_of(tenancy.create_community(who, parse(CommunityIn, data))))

    @rpc
    @replies(list[Unit])
    def list_units(self, caller: dict) -> list[dict]:
        """The streets and communities the caller may see."""
        return [dump(u) for u in tenancy.units(as_caller(caller))]

    @rpc
    @replies(Unit)
    def get_community(self, caller: dict, community_id: str) -> dict:
        """One community, if the caller may see it (404 otherwise: no existence leak)."""
        return dump(unit_of(tenancy.visible_community(as_caller(caller), community_id)))

    @rpc
    @replies(UserOut)
    def create_user(self, caller: dict, data: dict) -> dict:
        """Create an account with a role placed in the tenancy tree."""
        who = as_caller(caller)
        return dump(accounts.user_out(accounts.create_user(who, parse(UserIn, data))))

    @rpc
    @replies(UserOut)
    def get_user(self, caller: dict, user_id: str) -> dict:
        """One account, if the caller may see it."""
        return dump(accounts.user_out(accounts.visible_user(as_caller(caller), user_id)))

    @rpc
    @replies(Page[AccountName])
    def account_names(self, caller: dict, query: dict | None = None) -> dict:
        """Every account's display name, a page at a time (system: a read model's backfill)."""
        as_caller(caller).require_role(Role.system)
        return dump(accounts.names_page(parse(PageQuery, query or {})))

    @rpc
    @replies(list[UserOut])
    def list_users(self, caller: dict, community_id: str, role: str | None = None) -> list[dict]:
        """Accounts of a community (staff only)."""
        users = accounts.community_users(as_caller(caller), community_id, role)
        return [dump(accounts.user_out(u)) for u in users]
