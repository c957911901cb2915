"""五微 board figures (微治理): one read of the community's counter row (public).

Topics listed, meetings held, decisions approved and votes closed, moved by the topics' and
meetings' own commits (`domain/board.py`), never counted at read time.
"""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.contracts.board import BoardQuery, DeliberationFigures
from services.common.rpc import parse, replies
from services.deliberation.domain import board
from services.deliberation.models import DeliberationCounts

FIGURES = ("topics_listed", "meetings_held", "decisions_approved", "votes_closed")


def figures(community_id: str) -> DeliberationFigures:
    row = DeliberationCounts._get_collection().find_one(
        {"_id": board.scope(community_id)}, dict.fromkeys(FIGURES, 1)) or {}
    return DeliberationFigures(community_id=community_id,
                               **{k: int(row.get(k) or 0) for k in FIGURES})


class BoardEntrypoints:
    @rpc
    @replies(DeliberationFigures)
    def board_figures(self, caller: dict | None, community_id: str) -> DeliberationFigures:
        """The community's topics listed, meetings held, decisions and votes (public)."""
        return figures(parse(BoardQuery, {"community_id": community_id}).community_id)
