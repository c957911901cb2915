"""Intake places issues from its own copy of dispatch's grids: fed by grid events, filled once
by a backfill from dispatch, and read without asking dispatch on the submission path."""

from __future__ import annotations

from nameko.rpc import rpc

from deploy.waits import wait_until
from services.common.contracts.dispatch import GridRemoved
from services.common.paging import Page
from services.common.rpc import dump
from services.intake.service import IntakeService
from tests.intake.helpers import (
    grid_states,
    issue_body,
    near,
    publish_grid_event,
    publish_grids,
    sign_in,
)
from tests.platform import error_of


def _file(platform, **overrides) -> dict:
    assert platform.client is not None
    response = platform.client.post("/issues", headers=sign_in(platform, "resident"),
                                    json=issue_body(platform, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def test_with_no_grids_known_an_issue_is_placed_nowhere_and_accepted(platform):
    platform.start(IntakeService)
    assert _file(platform)["grid_id"] is None


def test_an_issue_is_placed_in_the_deepest_grid_and_outside_the_boundary_is_refused(platform):
    client = platform.start(IntakeService)
    publish_grids(platform)
    cid = platform.community_id()
    assert _file(platform)["grid_id"] == f"grid-{cid}-1"
    # inside the community, outside grid 1: the root
    assert _file(platform, location={"lat": 39.5, "lng": 116.4})["grid_id"] == f"g-root-{cid}"
    outside = client.post("/issues", headers=sign_in(platform, "resident"),
                          json=issue_body(platform, location={"lat": 46.0, "lng": 116.4}))
    assert outside.status_code == 422 and "location" in error_of(outside)["fields"]


def test_a_late_older_event_does_not_undo_a_newer_one_and_a_removed_grid_places_nothing(
        platform):
    platform.start(IntakeService)
    cid = platform.community_id()
    root, grid = grid_states(cid, version=3)
    publish_grid_event(platform, root, cid)
    publish_grid_event(platform, grid.model_copy(update={"polygon": None}), cid)  # v3: no shape
    publish_grid_event(platform, grid.model_copy(update={"version": 2}), cid)  # late v2 shape
    assert _file(platform)["grid_id"] == f"g-root-{cid}"
    publish_grid_event(platform, grid.model_copy(update={"version": 4}), cid)
    assert _file(platform, location=near(10))["grid_id"] == f"grid-{cid}-1"
    publish_grid_event(platform, GridRemoved(grid_id=grid.grid_id, community_id=cid,
                                             version=5), cid)
    assert _file(platform)["grid_id"] == f"g-root-{cid}"


class PagingDispatch:
    """Stands in for dispatch's registry: serves its grids two at a time, as `grid_states`."""

    name = "dispatch"
    states: list = []

    @rpc
    def grid_states(self, caller: dict, query: dict) -> dict:
        start = int(query.get("cursor") or 0)
        items = self.states[start:start + 2]
        more = start + 2 < len(self.states)
        return dump(Page(items=items, next_cursor=str(start + 2) if more else None))


def test_an_intake_started_after_the_grids_exist_copies_them_from_dispatch(platform):
    platform.start(PagingDispatch)
    cid, other = platform.community_id("A"), platform.community_id("B")
    PagingDispatch.states = [*grid_states(cid), *grid_states(other)]
    intake = platform.container_factory(IntakeService, platform.config)
    intake.start()  # its backfill runs as it starts

    def placed() -> bool:
        return _file(platform)["grid_id"] == f"grid-{cid}-1"

    assert wait_until(placed, timeout=15, every=0.3)
