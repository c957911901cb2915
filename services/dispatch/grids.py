"""The grid registry: each community's policy and root grid, the tree, resolution, import/export."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import time
from typing import Any

from mongoengine.errors import NotUniqueError

from services.common import audit, geometry, paging
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role, Scope
from services.common.contracts import new_event
from services.common.contracts.dispatch import GridChanged, GridState, PolicyIn
from services.common.errors import InvalidInput, NotFound
from services.dispatch.domain import gridrows
from services.dispatch.domain.sla import DEFAULT_CLAIM_CAP, DEFAULT_REPORT_IN_MINUTES, DEFAULT_SLA
from services.dispatch.models import CommunityPolicy, Grid

LEVEL_NAME = {v: k for k, v in gridrows.DEPTH.items()}


def ensure_community(community_id: str, district_id: str, street_id: str) -> CommunityPolicy:
    """The community's policy and root grid, created on first sight (idempotent)."""
    policy = CommunityPolicy.objects(id=community_id).first()
    if policy is not None:
        return policy
    root_id = f"g-root-{community_id}"
    with contextlib.suppress(NotUniqueError):
        root = Grid(id=root_id, community_id=community_id, code="root", name="一级网格", depth=1)
        announce(root, root_id, Caller.system(district_id))
        root.commit()
    with contextlib.suppress(NotUniqueError):
        CommunityPolicy(id=community_id, district_id=district_id, street_id=street_id,
                        root_grid_id=root_id,
                        sla={k.value: list(v) for k, v in DEFAULT_SLA.items()},
                        claim_cap=DEFAULT_CLAIM_CAP,
                        report_in_minutes=DEFAULT_REPORT_IN_MINUTES).save(force_insert=True)
    return CommunityPolicy.objects.get(id=community_id)


def policy_for(caller: Caller, community_id: str | None,
               figures: bool = False) -> CommunityPolicy:
    """The policy of a community the caller may see (`figures`: whose aggregate figures it
    may read); created lazily from the caller's own tenancy (a community caller carries its
    street and district)."""
    community_id = community_id or caller.community_id
    if not community_id:
        raise InvalidInput("which community?", {"community_id": "required"})
    policy = CommunityPolicy.objects(id=community_id).first()
    if policy is None and caller.community_id == community_id and caller.street_id:
        policy = ensure_community(community_id, caller.district_id, caller.street_id)
    sees = caller.sees_figures if figures else caller.sees
    if policy is None or not sees(Scope(district_id=policy.district_id,
                                        street_id=policy.street_id, community_id=policy.id)):
        raise NotFound("no such community", {"community_id": "unknown"})
    return policy


GRID_LIST = "grids"  # the one listing of every grid (the read models' backfill)


def state_of(grid: Grid, root_id: str, version: int) -> GridState:
    return GridState(grid_id=grid.id, community_id=grid.community_id, code=grid.code,
                     name=grid.name, depth=grid.depth, parent_id=grid.parent_id,
                     is_root=grid.id == root_id, polygon=grid.polygon or None,
                     addresses=list(grid.addresses), version=version)


def announce(grid: Grid, root_id: str, caller: Caller) -> None:
    """Record `grid.changed` for the grid's next commit (same document, same write)."""
    if not grid.page_key:
        grid.page_key = paging.page_key(GRID_LIST, time.time(), grid.id)
    version = 1 if grid._created else grid.version + 1  # what commit() will write
    state = state_of(grid, root_id, version)
    grid.record(new_event(GridChanged(**state.model_dump()), caller, grid.community_id))


def states_page(query: paging.PageQuery) -> paging.Page[GridState]:
    """One page of every grid's current state, newest first (keyset on `page_key`)."""
    docs, cursor = paging.fetch(Grid.objects(), "page_key", GRID_LIST, query)
    roots = {}  # a page holds the grids of a few communities: one read by _id each
    for community_id in {d.community_id for d in docs}:
        policy = CommunityPolicy.objects(id=community_id).only("root_grid_id").first()
        roots[community_id] = policy.root_grid_id if policy else ""
    return paging.Page[GridState](
        items=[state_of(d, roots.get(d.community_id, ""), d.version) for d in docs],
        next_cursor=cursor)


LINEAGE_FIELDS = ("id", "community_id", "parent_id", "depth")


def lineage(grid_id: str) -> list[Grid]:
    """The grids from `grid_id` up to the root, read once each by `_id` (tree fields only:
    a polygon can be large)."""
    docs: list[Grid] = []
    current = Grid.objects(id=grid_id).only(*LINEAGE_FIELDS).first()
    while current is not None and current.id not in {d.id for d in docs}:
        docs.append(current)
        current = (Grid.objects(id=current.parent_id).only(*LINEAGE_FIELDS).first()
                   if current.parent_id else None)
    return docs


def chain(grid_id: str) -> list[str]:
    """Grid ids from `grid_id` up to the root (buildings and compounds roll up to their grid)."""
    return [d.id for d in lineage(grid_id)]


def owning(docs: list[Grid]) -> list[Grid]:
    """Orders live on grids (levels 1-3): a lineage from its first grid of level 1-3 up."""
    for n, doc in enumerate(docs):
        if doc.depth <= 3:
            return docs[n:]
    return docs


def owning_grid(grid_id: str) -> str:
    """Orders live on grids (levels 1-3): a compound or building hands its grid up."""
    docs = owning(lineage(grid_id))
    return docs[0].id if docs else grid_id


def resolve(policy: CommunityPolicy, location: dict[str, Any]) -> dict[str, Any]:
    grids = list(Grid.objects(community_id=policy.id))
    root = next((g for g in grids if g.id == policy.root_grid_id), None)
    shapes = [geometry.GridShape(g.id, g.depth, g.polygon or None, tuple(g.addresses))
              for g in grids if g.id != policy.root_grid_id]
    grid_id, inside = geometry.locate(shapes, policy.root_grid_id,
                                      root.polygon if root and root.polygon else None,
                                      location.get("lat"), location.get("lng"),
                                      location.get("address"))
    return {"grid_id": grid_id, "inside": inside}


def view(grid: Grid) -> dict[str, Any]:
    return {"id": grid.id, "community_id": grid.community_id, "code": grid.code,
            "name": grid.name, "level": LEVEL_NAME[grid.depth], "parent_id": grid.parent_id,
            "worker_id": grid.worker_id, "party_branch": grid.party_branch,
            "polygon": grid.polygon or None, "addresses": list(grid.addresses)}


def set_policy(caller: Caller, community_id: str, spec: PolicyIn) -> CommunityPolicy:
    """The community's new deadlines and its admin's audit event, in one write."""
    # Policies written before they were aggregates carry no version: the frame's guard.
    CommunityPolicy._get_collection().update_one(
        {"_id": community_id, "version": {"$exists": False}}, {"$set": {"version": 0}})

    def decide(policy: CommunityPolicy, _at: object) -> Decision:
        changes: dict[str, Any] = {}
        if spec.sla:
            changes["sla"] = dict(policy.sla) | {k.value: list(v) for k, v in spec.sla.items()}
        if spec.claim_cap:
            changes["claim_cap"] = spec.claim_cap
        if spec.report_in_minutes:
            changes["report_in_minutes"] = spec.report_in_minutes
        return audit.attach(Decision(changes=changes), caller, policy, "policy.set",
                            "dispatch_policy", community_id=policy.id)

    return change(lambda: CommunityPolicy.objects.get(id=community_id), decide, caller).doc


def check_may_manage(caller: Caller) -> None:
    caller.require_role(Role.community_admin, Role.street_admin, Role.district_admin)


def parse_file(content: str, fmt: str) -> list[dict[str, Any]]:
    """CSV (header: gridrows.COLUMNS) or a GeoJSON FeatureCollection of Polygons."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(content))
        missing = [c for c in ("code", "name", "level") if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput("the CSV header lacks columns", {c: "missing" for c in missing})
        return list(reader)
    if fmt == "geojson":
        try:
            features = json.loads(content)["features"]
            return [dict(f.get("properties") or {},
                         polygon=((f.get("geometry") or {}).get("coordinates") or [None])[0])
                    for f in features]
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise InvalidInput("not a GeoJSON FeatureCollection",
                               {"file": "a FeatureCollection of Polygon features"}) from exc
    raise InvalidInput("unknown format", {"format": "csv or geojson"})


def export(grids: list[Grid], fmt: str) -> str:
    codes = {g.id: g.code for g in grids}
    rows = [{"code": g.code, "name": g.name, "level": LEVEL_NAME[g.depth],
             "parent_code": codes.get(g.parent_id or "", ""), "worker_id": g.worker_id or "",
             "party_branch": g.party_branch or "",
             "polygon": json.dumps(g.polygon) if g.polygon else "",
             "addresses": ";".join(g.addresses)} for g in sorted(grids, key=lambda g: g.depth)]
    if fmt == "geojson":
        return json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {k: v for k, v in r.items() if k != "polygon"},
             "geometry": ({"type": "Polygon", "coordinates": [json.loads(r["polygon"])]}
                          if r["polygon"] else None)} for r in rows]}, ensure_ascii=False)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=gridrows.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
