"""Grid registry entrypoints: import/export, the tree, point and address resolution, policy."""

from __future__ import annotations

from typing import Any

from nameko.rpc import rpc

from services.common.caller import STAFF_ROLES, Role
from services.common.contracts.dispatch import (
    GridImportReport,
    GridOut,
    GridPlace,
    GridState,
    PolicyIn,
    PolicyOut,
)
from services.common.contracts.workflow import Location
from services.common.errors import InvalidInput
from services.common.paging import Page, PageQuery
from services.common.rpc import as_caller, dump, parse, replies
from services.dispatch import grid_writes, grids
from services.dispatch.models import Grid

MAX_ROWS = 20_000  # seed 004's district has 79 grids; a city district a few thousand


class GridEntrypoints:
    @rpc
    @replies(GridImportReport)
    def import_grids(self, caller: dict, community_id: str, rows: list, dry_run: bool = True
                     ) -> dict:
        """Validate grid rows and (unless a dry run, and only if every row is valid) upsert them."""
        who = as_caller(caller)
        grids.check_may_manage(who)
        policy = grids.policy_for(who, community_id)
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise InvalidInput(f"a list of at most {MAX_ROWS} rows", {"rows": "invalid"})
        valid, errors = grid_writes.check(policy, rows)
        imported = 0 if errors or dry_run else grid_writes.apply(policy, valid, who)
        return grid_writes.report(valid, errors, bool(dry_run), imported)

    @rpc
    @replies(GridImportReport)
    def import_grid_file(self, caller: dict, community_id: str, content: str, fmt: str,
                         dry_run: bool = True) -> dict:
        """The same, from a CSV or GeoJSON file's text."""
        rows = grids.parse_file(str(content), str(fmt).lower())
        return self.import_grids(caller, community_id, rows, dry_run)

    @rpc
    @replies(PolicyOut)
    def register_community(self, caller: dict, community: dict) -> dict:
        """Make sure a community has its root grid and policy (system: seeding, repair).

        Normally `community.created` does this; a seed that runs right after
        creating communities need not wait for the event.
        """
        who = as_caller(caller)
        who.require_role(Role.system)
        ids = {k: str(community.get(k) or "") for k in ("id", "street_id", "district_id")}
        missing = {k: "required" for k, v in ids.items() if not v}
        if missing:
            raise InvalidInput("community id, street_id and district_id", missing)
        policy = grids.ensure_community(ids["id"], ids["district_id"], ids["street_id"])
        return _policy_view(policy)

    @rpc
    @replies(str)
    def export_grids(self, caller: dict, community_id: str, fmt: str = "csv") -> str:
        """The community's grid tree as CSV or GeoJSON text."""
        who = as_caller(caller)
        who.require_role(*STAFF_ROLES)
        policy = grids.policy_for(who, community_id)
        if fmt not in ("csv", "geojson"):
            raise InvalidInput("unknown format", {"format": "csv or geojson"})
        return grids.export(list(Grid.objects(community_id=policy.id)), fmt)

    @rpc
    @replies(list[GridOut])
    def list_grids(self, caller: dict, community_id: str) -> list[dict]:
        """Every grid, compound and building of the community, parents first (staff)."""
        who = as_caller(caller)
        who.require_role(*STAFF_ROLES)
        policy = grids.policy_for(who, community_id)
        return [grids.view(g) for g in Grid.objects(community_id=policy.id).order_by("depth")]

    @rpc
    @replies(GridPlace)
    def resolve_grid(self, caller: dict, community_id: str, location: dict) -> dict:
        """The grid a location falls in: {"grid_id", "inside"} (intake places issues with it)."""
        who = as_caller(caller)
        policy = grids.policy_for(who, community_id)
        return grids.resolve(policy, dump(parse(Location, location)))

    @rpc
    @replies(Page[GridState])
    def grid_states(self, caller: dict, query: dict | None = None) -> dict:
        """Every grid's state, a page at a time (system: a read model's backfill)."""
        as_caller(caller).require_role(Role.system)
        return dump(grids.states_page(parse(PageQuery, query or {})))

    @rpc
    @replies(PolicyOut)
    def get_policy(self, caller: dict, community_id: str) -> dict:
        """The community's deadlines by urgency, claim cap and report-in minutes (staff)."""
        who = as_caller(caller)
        who.require_role(*STAFF_ROLES)
        return _policy_view(grids.policy_for(who, community_id))

    @rpc
    @replies(PolicyOut)
    def set_policy(self, caller: dict, community_id: str, data: dict) -> dict:
        """Change the community's deadlines (community admin and above)."""
        who = as_caller(caller)
        grids.check_may_manage(who)
        policy = grids.policy_for(who, community_id)
        return _policy_view(grids.set_policy(who, policy.id, parse(PolicyIn, data)))


def _policy_view(policy: Any) -> dict:
    return {"community_id": policy.id, "root_grid_id": policy.root_grid_id,
            "sla": dict(policy.sla), "claim_cap": policy.claim_cap,
            "report_in_minutes": policy.report_in_minutes}
