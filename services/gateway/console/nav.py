"""Which console pages a role may open: the same role tuples the JSON routes check, so the
console never shows a link or a button the API would refuse."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.caller import ADMIN_ROLES, CLAIM_ROLES, Role
from services.common.contracts.identity import COMMUNITY_ROLES
from services.gateway.routes.deliberation import READERS as DELIBERATION_READERS
from services.gateway.routes.evaluation import READERS
from services.gateway.routes.orders import WORKERS
from services.gateway.routes.points import EARNERS
from services.gateway.routes.volunteers import PEOPLE

ADMINS = tuple(ADMIN_ROLES)
CLAIMERS = tuple(CLAIM_ROLES)
EVERYONE = tuple(r for r in Role if r not in (Role.system, Role.app))
# Who may file through which channel: intake's table (services/intake/domain.py
# CHANNEL_ROLES), mirrored here because the gateway imports no service's internals;
# tests/console checks the two are equal. The app itself files through Open311.
CHANNELS: dict[str, tuple[Role, ...]] = {
    "app": (Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
            Role.community_admin),
    "online_hall": (Role.resident, Role.volunteer, Role.operator, Role.community_admin),
    "hotline": (Role.community_admin, Role.street_admin, Role.district_admin),
    "grid_patrol": (Role.grid_worker,),
    "visit": (Role.community_admin, Role.grid_worker),
    "door_knocking": (Role.grid_worker, Role.volunteer, Role.community_admin),
}
# Filing needs a community of one's own (street and district admins enter hotline cases
# through a community's staff in this console).
FILERS = tuple(r for r in EVERYONE if any(r in roles for roles in CHANNELS.values())
               and r not in (Role.street_admin, Role.district_admin))


def channels_for(role: Role) -> list[str]:
    return [channel for channel, roles in CHANNELS.items() if role in roles]
NOTIFIED = tuple(r for r in EVERYONE if r is not Role.ops)


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    roles: tuple[Role, ...]


NAV = (
    Page("nav.issues", "/console/issues", (Role.resident,)),
    Page("nav.new_issue", "/console/issues/new", FILERS),
    Page("nav.orders", "/console/orders", WORKERS),
    Page("nav.triage", "/console/triage", (Role.community_admin,)),
    Page("nav.dashboard", "/console/dashboard", READERS),
    Page("nav.community", "/console/community", (Role.community_admin,)),
    Page("nav.counter", "/console/counter", (Role.merchant,)),
    Page("nav.offers", "/console/offers", (Role.merchant,)),
    Page("nav.settlement", "/console/settlement", (Role.merchant, *ADMINS)),
    Page("nav.points", "/console/points", EARNERS),
    Page("nav.wishes", "/console/wishes", PEOPLE),
    Page("nav.activities", "/console/activities", PEOPLE),
    Page("nav.topics", "/console/topics", DELIBERATION_READERS),
    Page("nav.notifications", "/console/notifications", NOTIFIED),
    Page("nav.ops", "/console/ops", (Role.ops,)),
    # the public 五微 board of one's own community (anyone may open a community's board)
    Page("nav.five_micro", "/console/five-micro", tuple(COMMUNITY_ROLES)),
)

MAIN = {Role.resident: "/console/issues", Role.merchant: "/console/counter",
        Role.community_admin: "/console/triage", Role.street_admin: "/console/dashboard",
        Role.district_admin: "/console/dashboard", Role.ops: "/console/ops"}


def may_open(role: Role, page: Page) -> bool:
    return role in page.roles


def home_of(role: Role) -> str:
    """A role's main page (workers and members: the order pool)."""
    return MAIN.get(role, "/console/orders")
