"""A service that is down costs only its sections: the page still answers 200, promptly.
(Last in the package: it stops points, then starts it again.)"""

from __future__ import annotations

from services.points.service import PointsService
from tests.board.helpers import page, timed


def test_a_stopped_service_marks_only_its_section_unavailable_and_the_page_is_quick(
        bplatform):
    timeout = bplatform.settings.board_timeout_seconds
    bplatform.containers["points"].stop()
    try:
        board, took = timed(lambda: page(bplatform))
        by_key = {s["key"]: s for s in board["sections"]}
        assert not by_key["micro_points"]["available"]
        assert "points" in by_key["micro_points"]["reason"]
        assert by_key["micro_points"]["figures"] == []
        assert by_key["micro_points"]["links"]  # where to look once it is back
        assert all(s["available"] for k, s in by_key.items() if k != "micro_points")
        assert took < timeout + 1.0, took  # one short wait, not the RPC timeout (10 s)
        again, quick = timed(lambda: page(bplatform))  # kept for a moment: no second wait
        assert quick < 0.5 and again == board, quick
    finally:
        restarted = bplatform.container_factory(PointsService, bplatform.config)
        restarted.start()
        bplatform.containers["points"] = restarted
