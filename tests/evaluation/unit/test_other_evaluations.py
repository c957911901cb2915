"""Ratings of items other services send (projects, decisions, volunteers' services) and
三评议 combined by weights."""

from __future__ import annotations

import pytest

from services.common.contracts.evaluation import ThreeRoutesRecordIn, ThreeRouteWeightsIn
from services.common.errors import Conflict, InvalidInput, NotFound
from services.evaluation import domain
from services.evaluation.domain import Input

T0 = 1_800_000_000.0


def _opened(raters=(), kind="volunteer_service") -> domain.Case:
    return domain.step(domain.Case(id="it-s1"), Input("item_opened", T0, {
        "kind": kind, "community_id": "c1", "subject_id": "vol-7", "raters": list(raters),
        "closes_at": T0 + 86400})).case


def test_the_person_served_rates_a_volunteers_service_once_and_the_volunteer_counts_it():
    case = _opened(raters=["u1"])
    step = domain.step(case, Input("item_rating", T0 + 60, {"rater_id": "u1", "score": 4}))
    units = {d.unit for d in step.deltas}
    assert units == {"community:c1", "item:s1", "volunteer:vol-7"}
    (event,) = step.events  # item.rated: volunteers folds it into the volunteer's profile
    assert (event.rating_id, event.item_id, event.kind.value, event.community_id,
            event.subject_id, event.rater_id, event.score, event.rated_ts) == (
        "s1:u1", "s1", "volunteer_service", "c1", "vol-7", "u1", 4, T0 + 60)
    rates = domain.rates({"item_ratings": 1, "item_score_sum": 4}, {})
    assert (rates.item_ratings, rates.item_mean_score) == (1, 4.0)
    with pytest.raises(Conflict):
        domain.step(step.case, Input("item_rating", T0 + 90, {"rater_id": "u1", "score": 5}))
    with pytest.raises(NotFound):  # not the person served
        domain.step(case, Input("item_rating", T0 + 90, {"rater_id": "u2", "score": 5}))
    with pytest.raises(Conflict):  # closed
        domain.step(case, Input("item_rating", T0 + 2 * 86400, {"rater_id": "u1", "score": 5}))


def test_a_project_open_to_the_community_takes_each_resident_once():
    case = _opened(kind="project")
    for n, score in enumerate((5, 3, 4)):
        case = domain.step(case, Input("item_rating", T0 + n, {"rater_id": f"u{n}",
                                                               "score": score})).case
    assert case.rated_by == ("u0", "u1", "u2")


def test_three_routes_are_combined_by_weights_and_a_missing_route_never_counts_as_zero():
    combined, used, missing = domain.combine_three_routes(
        {"online": 90, "meeting": 80, "board": 70},
        {"online": 0.4, "meeting": 0.4, "board": 0.2})
    assert (combined, missing) == (82.0, [])
    combined, used, missing = domain.combine_three_routes(
        {"online": 90, "meeting": 80}, {"online": 0.4, "meeting": 0.4, "board": 0.2})
    assert (combined, used, missing) == (85.0, {"online": 0.5, "meeting": 0.5}, ["board"])
    with pytest.raises(InvalidInput):
        domain.combine_three_routes({"board": 50}, {"online": 0.5, "meeting": 0.5, "board": 0})


def test_the_weights_must_add_up_to_one():
    with pytest.raises(ValueError, match="add up to 1"):
        ThreeRouteWeightsIn(weights={"online": 0.5, "meeting": 0.2})
    with pytest.raises(ValueError, match="at least 1"):
        ThreeRoutesRecordIn(scores={})
