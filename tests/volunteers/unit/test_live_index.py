"""The per-process index: an older row read by the load never undoes this process's write;
ranking before the load is done is a 503, not a wrong answer."""

from __future__ import annotations

import pytest

from services.common.errors import Unavailable
from services.volunteers.index import LiveIndex


def row(ts: float, skills: list[str], consent: bool = True) -> dict:
    return {"_id": "u1", "community_id": "c1", "kinds": ["volunteer"], "skills": skills,
            "consent": consent, "changed_ts": ts}


def test_an_older_row_is_skipped_and_a_withdrawn_consent_removes_the_candidate():
    live = LiveIndex()
    live.put_profile(row(2.0, ["plumbing"]))
    live.put_profile(row(1.0, ["tutoring"]))  # the start-up load's older read
    assert live.index.candidates["u1"].skills == ("plumbing",)
    live.put_profile(row(3.0, ["plumbing"], consent=False))
    assert "u1" not in live.index.candidates


def test_ranking_waits_for_the_load():
    live = LiveIndex()
    with pytest.raises(Unavailable):
        live.require_ready()
    live.loaded_seconds = 0.1
    live.require_ready()
