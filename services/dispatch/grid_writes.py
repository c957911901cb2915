"""Applying a grid import: all rows valid or nothing written; a dry run writes nothing."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.common import audit
from services.common.caller import Caller
from services.dispatch import grids
from services.dispatch.domain import gridrows
from services.dispatch.models import CommunityPolicy, Grid

AUDITED = ("code", "name", "depth", "parent_id", "worker_id", "party_branch", "addresses")


def check(policy: CommunityPolicy, raw_rows: list[Any]) -> tuple[list[gridrows.GridRow], list]:
    rows, errors, numbered = [], [], []
    for number, raw in enumerate(raw_rows, start=1):
        if not isinstance(raw, dict):
            errors.append(gridrows.RowError(number, "row", "not a record"))
            continue
        given = raw.get("_row")  # the CLI numbers rows before sending them in chunks
        numbered.append((given if isinstance(given, int) else number, raw))
    for number, raw in numbered:
        row, row_errors = gridrows.parse_row(number, raw)
        errors += row_errors
        if row is not None:
            rows.append(row)
    errors += gridrows.duplicates(numbered)
    existing = {g.code: g.depth for g in Grid.objects(community_id=policy.id).only("code", "depth")}
    errors += gridrows.check_tree(rows, existing)
    return rows, sorted(errors, key=lambda e: (e.row, e.field))


def apply(policy: CommunityPolicy, rows: list[gridrows.GridRow], caller: Caller) -> int:
    """Parents first; the level-1 row is the root grid (it keeps its id).

    Every row was checked before the first write, so an import is all or nothing for
    bad input; each grid is one write with its `grid.changed` event (no transaction
    across grids: a crash part-way leaves written grids announced, and the same
    import run again completes it).
    """
    ids = {g.code: g.id for g in Grid.objects(community_id=policy.id).only("code")}
    for row in sorted(rows, key=lambda r: r.depth):
        if row.depth == 1:
            grid = Grid.objects.get(id=policy.root_grid_id)
        else:
            grid = Grid.objects(community_id=policy.id, code=row.code).first() or Grid(
                community_id=policy.id, code=row.code, depth=row.depth)
        was = {} if grid._created else audit.fields_of(grid, AUDITED)
        grid.code, grid.name, grid.depth = row.code, row.name, row.depth
        grid.parent_id = ids.get(row.parent_code) if row.parent_code else None
        grid.worker_id, grid.party_branch = row.worker_id, row.party_branch
        grid.polygon, grid.addresses = row.polygon or [], row.addresses
        grids.announce(grid, policy.root_grid_id, caller)
        audit.record_on(grid, caller, "grid.import", "grid", grid.id, before=was,
                        after=audit.fields_of(grid, AUDITED), community_id=policy.id,
                        street_id=policy.street_id, district_id=policy.district_id)
        grid.commit()
        ids[row.code] = grid.id
    return len(rows)


def report(rows: list[gridrows.GridRow], errors: list[gridrows.RowError], dry_run: bool,
           imported: int) -> dict[str, Any]:
    return {"dry_run": dry_run, "rows": len(rows) + len({e.row for e in errors}),
            "valid": not errors, "imported": imported, "errors": [asdict(e) for e in errors]}
