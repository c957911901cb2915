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
from services.common.contracts.board import PublicCommunity
from services.common.contracts.dispatch import GridChanged, GridRemoved
from services.common.contracts.identity import (
    AccountName,
    AppKeyIn,
    AppKeyOut,
    AppKeyUse,
    CommunityIn,
    Credentials,
    Done,
    NewAppKey,
    PasswordChangeIn,
    PasswordResetIn,
    RefreshIn,
    ResetTicket,
    RevocationPage,
    Session,
    SignIn,
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
from services.identity import accounts, appkeys, grids, lifecycle, sessions, tenancy
from services.identity.hashing import PasswordHashing
from services.identity.models import DOCUMENTS, District
from services.identity.tenancy import unit_of

log = logging.getLogger(__name__)
BACKFILL_SECONDS = 5  # once done, a tick is one read by _id


class IdentityService:
    name = "identity"
    store = Store("identity", DOCUMENTS)
    hashing = PasswordHashing()
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
    @replies(PublicCommunity)
    def public_community(self, caller: dict | None, community_id: str) -> PublicCommunity:
        """A community's id and name for anyone (its public boards; 404 if unknown)."""
        return tenancy.public_community(community_id)

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

    # --- sessions and the account lifecycle (docs/accounts.md) ------------------------------

    @rpc
    @replies(Session)
    def sign_in(self, attempt: dict) -> dict:
        """Sign in behind the login limit shared by every gateway; a new refresh family."""
        data = parse(SignIn, attempt)
        return dump(sessions.sign_in(data.credentials, data.client,
                                     self.store.settings.login_attempts_per_minute))

    @rpc
    @replies(Session)
    def refresh_session(self, data: dict) -> dict:
        """Rotate a refresh token (a spent one coming back ends its family)."""
        return dump(sessions.refresh(parse(RefreshIn, data).refresh_token))

    @rpc
    @replies(Done)
    def sign_out(self, data: dict) -> dict:
        """End the session (refresh family) of this refresh token."""
        sessions.sign_out(parse(RefreshIn, data).refresh_token)
        return dump(Done())

    @rpc
    @replies(RevocationPage)
    def revocations(self, cursor: str | None = None) -> dict:
        """Accounts revoked or deactivated after `cursor`: each gateway's poll (no caller:
        ids and times only, what a gateway needs to refuse their older tokens)."""
        return dump(lifecycle.revocations(cursor if isinstance(cursor, str) else None))

    @rpc
    @replies(UserOut)
    def deactivate_user(self, caller: dict, user_id: str) -> dict:
        """Deactivate an account (its admins): no sign-in, every token refused."""
        return dump(accounts.user_out(lifecycle.deactivate(as_caller(caller), user_id)))

    @rpc
    @replies(UserOut)
    def reactivate_user(self, caller: dict, user_id: str) -> dict:
        """Let a deactivated account sign in again (its older tokens stay void)."""
        return dump(accounts.user_out(lifecycle.reactivate(as_caller(caller), user_id)))

    @rpc
    @replies(UserOut)
    def revoke_tokens(self, caller: dict, user_id: str) -> dict:
        """Void every token the account holds (access and refresh)."""
        return dump(accounts.user_out(lifecycle.revoke_tokens(as_caller(caller), user_id)))

    @rpc
    @replies(ResetTicket)
    def issue_password_reset(self, caller: dict, user_id: str) -> dict:
        """A one-time reset token for the account, shown once (its admins)."""
        return dump(lifecycle.issue_reset(as_caller(caller), user_id))

    @rpc
    @replies(Done)
    def reset_password(self, data: dict) -> dict:
        """Spend a reset token on a new password (public: the token is the proof)."""
        lifecycle.reset_password(parse(PasswordResetIn, data))
        return dump(Done())

    @rpc
    @replies(Session)
    def change_password(self, caller: dict, data: dict) -> dict:
        """The caller's own new password; their other tokens are void."""
        return dump(lifecycle.change_password(as_caller(caller), parse(PasswordChangeIn, data)))

    # --- app keys (Open311 api_key) ----------------------------------------------------------

    @rpc
    @replies(NewAppKey)
    def issue_app_key(self, caller: dict, data: dict) -> dict:
        """A named application's key for some communities (shown once)."""
        return dump(appkeys.issue(as_caller(caller), parse(AppKeyIn, data)))

    @rpc
    @replies(list[AppKeyOut])
    def list_app_keys(self, caller: dict, community_id: str) -> list[dict]:
        """The keys that file into a community (its admins)."""
        return [dump(k) for k in appkeys.community_keys(as_caller(caller), community_id)]

    @rpc
    @replies(AppKeyOut)
    def revoke_app_key(self, caller: dict, key_id: str) -> dict:
        """End an app key."""
        return dump(appkeys.revoke(as_caller(caller), key_id))

    @rpc
    @replies(Caller)
    def admit_app_key(self, data: dict) -> dict:
        """The caller an Open311 POST with this api_key files as, in that community
        (checked: the key, its scope, its rate limit)."""
        return dump(appkeys.admit(parse(AppKeyUse, data)))
