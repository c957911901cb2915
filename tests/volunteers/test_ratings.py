"""Evaluation's ratings of a volunteer's service (item.rated) fold into the profile's rating,
once per rating (a redelivery, or the same rating in a new envelope, changes nothing)."""

from __future__ import annotations

import time
import uuid

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.evaluation import ItemRated
from tests.dispatch.helpers import token_headers
from tests.volunteers.helpers import profile_body


def _rated(vplatform, subject: str, rater: str, score: int, kind: str = "volunteer_service",  # noqa: ANN001
           where: str = "A") -> None:
    community_id = vplatform.community_id(where)
    payload = ItemRated(rating_id=f"svc-{subject}:{rater}", item_id=f"svc-{subject}", kind=kind,
                        community_id=community_id, subject_id=subject, rater_id=rater,
                        score=score, rated_ts=time.time())
    event = new_event(payload, Caller.system(), community_id)
    with entrypoint_waiter(vplatform.containers["volunteers"], "on_item_rated", timeout=10):
        event_dispatcher(vplatform.config)("evaluation", "item.rated", event.to_message())


def test_ratings_of_a_volunteers_service_fold_into_the_profile_once_each(vplatform):
    client = vplatform.client
    account = f"u-rated-{uuid.uuid4().hex[:6]}"
    headers = token_headers(vplatform, "volunteer", account)
    assert client.put("/volunteers/profile", headers=headers,
                      json=profile_body()).status_code == 200
    admin = vplatform.headers("community_admin")

    def rating() -> float | None:
        return client.get(f"/volunteers/{account}", headers=admin).json()["rating"]

    assert rating() is None
    _rated(vplatform, account, "u-r1", 4)
    assert rating() == 4.0
    _rated(vplatform, account, "u-r1", 4)  # the same rating, a new envelope: folded once
    _rated(vplatform, account, "u-r2", 2)
    assert rating() == 3.0
    _rated(vplatform, account, "u-r3", 5, kind="project")  # not a person's service
    _rated(vplatform, account, "u-r4", 1, where="B")  # another community's item: not theirs
    assert rating() == 3.0
