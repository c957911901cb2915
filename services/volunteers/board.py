"""五微 board figures (微心愿 · 微志愿 · 微更新): one read of the community's tally row.

Public figures only (no caller needed): counts the commits moved, never a count of
documents. The renewal keys are written by the micro-renewal projects' commits; until then
they read 0.
"""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.contracts.board import BoardQuery, VolunteersFigures
from services.common.rpc import parse, replies
from services.volunteers.models import Tally


def figures(community_id: str) -> VolunteersFigures:
    row = Tally.figures(f"c:{community_id}")
    # `hours`: what writers added before the counters moved in minutes (metrics.refresh)
    hours = row.get("hours", 0) + row.get("hour_minutes", 0) / 60
    return VolunteersFigures(
        community_id=community_id, open_wishes=int(row.get("open_wishes", 0)),
        fulfilled_wishes=int(row.get("fulfilled_wishes", 0)), hours=round(hours, 2),
        activities_held=int(row.get("activities_held", 0)),
        renewal_projects=int(row.get("renewal_projects", 0)),
        renewal_published=int(row.get("renewal_published", 0)))


class BoardEntrypoints:
    @rpc
    @replies(VolunteersFigures)
    def board_figures(self, caller: dict | None, community_id: str) -> VolunteersFigures:
        """The community's wishes, hours, activities held and renewal projects (public)."""
        return figures(parse(BoardQuery, {"community_id": community_id}).community_id)
