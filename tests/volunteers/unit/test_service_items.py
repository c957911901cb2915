"""The evaluation item a finished service opens (domain/service_items.py)."""

from __future__ import annotations

from services.volunteers.domain import service_items


def test_a_services_rating_item_names_its_source_kind_and_the_people_served():
    item = service_items.opened("wish", "w-1", "c-1", "读报", "u-op", ["operator"],
                                ["u-res", "u-res", "u-op"], 100.0)
    assert (item.item_id, item.kind.value, item.subject_id) == (
        "svc-w-w-1", "operator_service", "u-op")
    assert item.raters == ["u-res"]  # once each, never the one who served
    assert item.closes_at.timestamp() == 100.0 + 14 * 86400
    crowd = service_items.opened("activity", "act-1", "c-1", "", "u-v", ["volunteer"],
                                 [f"u-{i}" for i in range(51)], 0.0)
    assert (crowd.kind.value, crowd.raters, crowd.title) == ("volunteer_service", [],
                                                             "activity")
