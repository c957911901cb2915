"""A published league is an aggregate: publishing and withdrawing are each one write of the
state with its event (`ranking.published` / `ranking.withdrawn` in the outbox), on the
store without a relay so the outbox is read as written."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.caller import Caller
from services.common.contracts.evaluation import LeagueQuery
from services.common.errors import Conflict
from services.common.paging import PageQuery
from services.evaluation import leagues, policy
from services.evaluation.models import Publication

DISTRICT = Caller(user_id="d1", role="district_admin", district_id="pd0")


def test_publishing_and_withdrawing_write_their_events_with_the_state(evaluation_db):
    policy.remember("pc0", "ps0", "pd0")  # the community, its street and district as units
    spec = LeagueQuery(kind="community", within="pd0", start=date(2026, 11, 1),
                       end=date(2026, 11, 30), min_sample=1)
    made = leagues.publish(DISTRICT, spec)
    assert [r.unit_id for r in made.rows] == ["pc0"]
    doc = Publication.objects(id=made.publication_id).get()
    # the district admin's act carries its audit log entry in the same write
    assert [e["type"] for e in doc.outbox] == ["ranking.published", "audit.recorded"]
    assert doc.outbox[0]["payload"]["district_id"] == "pd0" and doc.version == 1
    admin = Caller(user_id="a1", role="community_admin", district_id="pd0",
                   street_id="ps0", community_id="pc0")
    assert len(leagues.published(admin, PageQuery())[0]) == 1

    gone = leagues.withdraw(DISTRICT, made.publication_id)
    assert gone.withdrawn_at is not None
    doc.reload()
    assert [e["type"] for e in doc.outbox] == ["ranking.published", "audit.recorded",
                                               "ranking.withdrawn", "audit.recorded"]
    assert doc.withdrawn and doc.withdrawn_by == "d1" and doc.version == 2
    assert leagues.published(admin, PageQuery())[0] == []
    with pytest.raises(Conflict):
        leagues.withdraw(DISTRICT, made.publication_id)
    doc.reload()
    assert doc.version == 2  # a refusal writes nothing
