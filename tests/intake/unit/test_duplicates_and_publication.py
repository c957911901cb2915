"""Duplicate search (haversine + box prefilter), attribute validation, anonymisation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.errors import InvalidInput
from services.intake.anonymise import public_view, scrub
from services.intake.attributes import validate_attributes
from services.intake.catalogue import CATALOGUE
from services.intake.domain import Candidate, bounding_box, haversine_m, nearby

BY_CODE = {c.code: c for c in CATALOGUE}
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_haversine_matches_known_distances():
    assert haversine_m(39.9042, 116.4074, 39.9042, 116.4074) == 0
    # one thousandth of a degree of latitude is ~111 m anywhere
    assert haversine_m(39.9042, 116.4074, 39.9052, 116.4074) == pytest.approx(111.2, abs=0.5)
    # Beijing → Shanghai is ~1067 km
    assert haversine_m(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1_067_000,
                                                                               rel=0.01)


@pytest.mark.parametrize("lat", [0.0, 39.9, 60.0, -33.9])
def test_the_box_holds_every_point_within_the_radius(lat):
    box = bounding_box(lat, 116.4, 200)
    for dlat, dlng in ((box.max_lat - lat, 0), (0, box.max_lng - 116.4)):
        assert haversine_m(lat, 116.4, lat + dlat, 116.4 + dlng) == pytest.approx(200, rel=0.01)


def test_nearby_keeps_those_within_the_radius_nearest_first():
    far = Candidate("far", 39.9062, 116.4074, T0)  # ~222 m
    near = Candidate("near", 39.9047, 116.4074, T0)  # ~56 m
    corner = Candidate("corner", 39.9054, 116.4088, T0)  # in the box, ~180 m
    got = nearby(39.9042, 116.4074, 200, [far, near, corner])
    assert [c.issue_id for c, _ in got] == ["near", "corner"]


def test_attributes_are_typed_and_required_ones_enforced():
    noise = BY_CODE["noise"]
    clean = validate_attributes(noise, {"source": "square_dance",
                                        "heard_at": "2026-03-01T20:30:00Z"})
    assert clean == {"source": "square_dance", "heard_at": "2026-03-01T20:30:00+00:00"}
    with pytest.raises(InvalidInput) as raised:
        validate_attributes(noise, {"heard_at": "yesterday", "colour": "red"})
    assert set(raised.value.fields) == {"attributes.source", "attributes.heard_at",
                                        "attributes.colour"}


def test_list_and_number_attributes():
    assert validate_attributes(BY_CODE["elderly_care"], {"age": "82", "needs": ["meals",
                               "visits", "meals"]}) == {"age": 82, "needs": ["meals", "visits"]}
    with pytest.raises(InvalidInput) as raised:
        validate_attributes(BY_CODE["elderly_care"], {"age": "old", "needs": ["flying"]})
    assert set(raised.value.fields) == {"attributes.age", "attributes.needs"}


def _stored(route: str, issue_class: str) -> dict:
    return {"id": "i-1", "community_id": "c-1", "category": "x", "state": "received",
            "description": "王大爷 13812345678 家门口漏水，身份证 110101195001011234",
            "route": route, "issue_class": issue_class, "supporters": 1,
            "lat": 39.904213, "lng": 116.407413, "address": "东湖路 12 号 3 单元 501",
            "created_at": T0, "updated_at": T0}


def test_a_public_matter_shows_its_place_but_no_phone_or_id_number():
    view = public_view(_stored("community", "public"), "路灯")
    assert "13812345678" not in view.summary and "110101195001011234" not in view.summary
    assert view.lat == 39.904213 and view.address == "东湖路 12 号 3 单元 501"


@pytest.mark.parametrize(("route", "issue_class"), [("residents", "public"),
                                                    ("party_volunteer", "hardship")])
def test_a_private_matter_shows_no_text_no_address_and_a_coarse_point(route, issue_class):
    view = public_view(_stored(route, issue_class), "邻里纠纷")
    dumped = view.model_dump_json()
    assert view.summary is None and view.address is None
    assert (view.lat, view.lng) == (39.9, 116.41)
    assert "王大爷" not in dumped and "501" not in dumped


def test_scrub_masks_numbers_but_keeps_short_ones():
    assert scrub("3 号楼 电话 010-6512 3456") == "3 号楼 电话 ***"
