"""The safe field types, each against generated hostile input (pure: no broker, no store)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from services.common.contracts import types as t
from services.common.contracts.dispatch import (
    OrderFilter,
    OrderIn,
    PolicyIn,
    ResponderIn,
    ResultIn,
    WhistleIn,
)
from services.common.contracts.evaluation import FiguresQuery, RatingIn, WindowIn
from services.common.contracts.identity import (
    CommunityIn,
    Credentials,
    DistrictIn,
    StreetIn,
    UserIn,
)
from services.common.contracts.intake import (
    AttributeDef,
    CategoryDef,
    Contact,
    IssueIn,
    MergeIn,
    NoteIn,
    PublicQuery,
    RejectIn,
    RevealIn,
    TriageIn,
)
from services.common.contracts.workflow import Location, ReasonIn
from services.intake.catalogue import CATALOGUE

FAST = settings(max_examples=60, deadline=None)
UNSAFE_CHARS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x1F).filter(lambda c: c not in "\t\n\r"),
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
    st.sampled_from([chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"]),
)
SAFE_TEXT = st.text(st.characters(blacklist_categories=["Cc", "Cs", "Cf"]), max_size=50)
BIG_INTS = st.one_of(st.integers(min_value=2**63), st.integers(max_value=-(2**63) - 1))
NON_FINITE = st.sampled_from([float("nan"), float("inf"), float("-inf")])

text = TypeAdapter(t.Text(100, min_length=1))
line = TypeAdapter(t.Name)
free = TypeAdapter(t.FreeDict)
instant = TypeAdapter(t.Instant)
ident = TypeAdapter(t.Id)


def refused(adapter: TypeAdapter, value: object) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return True
    return False


@FAST
@given(SAFE_TEXT, UNSAFE_CHARS, SAFE_TEXT)
def test_text_with_a_control_bidi_or_surrogate_character_is_refused(head, bad, tail):
    value = f"a{head}{bad}{tail}z"  # inside the text: at its ends, whitespace is stripped
    assert refused(text, value)
    assert refused(free, {"k": value})


@FAST
@given(SAFE_TEXT.filter(lambda s: s.strip()))
def test_safe_text_is_kept_stripped(value):
    assert text.validate_python(f"  {value}\n") == value.strip()[:100] or len(value.strip()) > 100


def test_blank_required_text_is_refused_and_newlines_are_normalised():
    assert refused(text, "   \n\t ")
    assert text.validate_python("a\r\nb\rc") == "a\nb\nc"
    assert refused(line, "two\nlines") and refused(line, "tab\there")
    assert refused(text, "x" * 101)


@FAST
@given(st.text(min_size=1, max_size=120))
def test_ids_are_a_safe_charset_of_bounded_length(value):
    ok = not refused(ident, value)
    assert ok == bool(re.fullmatch(t.ID_PATTERN[1:-1], value))
    if ok:
        assert len(value) <= 96 and value.isascii()


@FAST
@given(BIG_INTS)
def test_integers_beyond_64_bits_are_refused(value):
    assert refused(TypeAdapter(t.Int64), value)
    assert refused(free, {"n": value}) and refused(free, {"n": [1, value]})
    assert refused(TypeAdapter(t.Hours), value)


@FAST
@given(NON_FINITE)
def test_non_finite_floats_are_refused_everywhere(value):
    for kind in (t.Finite, t.Latitude, t.Longitude, t.Hours, t.Minutes, t.RadiusM):
        assert refused(TypeAdapter(kind), value)
    assert refused(free, {"x": value})
    assert refused(TypeAdapter(t.GeoRing), [[0, 0], [1, 1], [value, 0]])
    with pytest.raises(ValueError):
        t.loads_bounded(json.dumps([[0, 0], [1, value]]), 5)


@pytest.mark.parametrize("kind", [t.Hours, t.Minutes, t.RadiusM])
def test_hours_minutes_and_radii_must_be_positive(kind):
    adapter = TypeAdapter(kind)
    assert refused(adapter, 0) and refused(adapter, -1) and adapter.validate_python(1.5) == 1.5


@FAST
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
       st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_dates_outside_1970_to_2200_are_refused_without_overflow(value, offset_minutes):
    aware = value.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    inside = 1970 <= value.year < 2200
    assert refused(instant, aware) is not inside
    if inside:
        assert instant.validate_python(aware).utcoffset() == timedelta(0)


def test_dates_at_the_calendars_ends_are_refused_as_input():
    for text_date in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        assert refused(instant, text_date)
    with pytest.raises(ValidationError):
        PublicQuery.model_validate({"start": "9999-12-31T23:59:59-14:00"})


@FAST
@given(st.text(min_size=1, max_size=10).map(lambda s: "$" + s) | st.just("a.b") | st.just(""))
def test_dollar_and_dotted_keys_are_refused_in_free_dicts(key):
    assert refused(free, {key: 1})
    assert refused(free, {"ok": {key: 1}})


def _deep(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = {"k": value}
    return value


@FAST
@given(st.integers(min_value=t.MAX_JSON_DEPTH, max_value=5000))
def test_deep_json_is_refused_without_recursion(depth):
    assert refused(free, {"k": _deep(depth)})
    text_value = "[" * (depth + 8) + "]" * (depth + 8)
    with pytest.raises(ValueError, match="nested deeper"):
        t.loads_bounded(text_value, 8)


@FAST
@given(st.integers(min_value=t.MAX_JSON_NODES + 1, max_value=20_000))
def test_huge_json_is_refused(size):
    assert refused(free, {"k": list(range(size))})
    assert refused(free, {f"k{i}": i for i in range(size)})
    assert refused(TypeAdapter(t.GeoRing), [[0.0, 0.0]] * (t.MAX_VERTICES + 1 + size))


def test_a_free_dict_within_bounds_is_kept():
    value = {"parties": 3, "plate": "京A·12345", "tags": ["a", "b"], "ratio": 0.5, "on": True}
    assert free.validate_python(value) == value


def test_a_ring_is_points_on_the_globe():
    ring = TypeAdapter(t.GeoRing)
    assert ring.validate_python([[116.4, 39.9], [116.5, 39.9], [116.5, 40.0]])[0] == (116.4, 39.9)
    assert refused(ring, [[200, 0], [0, 0], [1, 1]]) and refused(ring, [[0, 0, 0], [0, 0], [1, 1]])


# Every input contract refuses unknown fields and is built of the safe types.
INPUTS: list[tuple[type[BaseModel], dict]] = [
    (IssueIn, {"community_id": "c-1", "category": "road", "description": "坑",
               "location": {"address": "东湖路"}}),
    (OrderIn, {"category": "road", "summary": "坑"}),
    (WhistleIn, {}), (PolicyIn, {}), (TriageIn, {}),
    (ResponderIn, {"kind": "volunteer", "name": "王"}),
    (UserIn, {"username": "abc", "password": "password-1", "role": "district_admin",
              "display_name": "x", "district_id": "d-1"}),
    (CategoryDef, CATALOGUE[0].model_dump(mode="json")),
    (Location, {"address": "x"}), (PublicQuery, {}), (OrderFilter, {}),
    (ResultIn, {"result": "修好了"}), (ReasonIn, {"reason": "超时"}), (RevealIn, {"reason": "x"}),
    (RejectIn, {"reason": "invalid"}), (NoteIn, {}), (RatingIn, {"level": "satisfied"}),
    (WindowIn, {"window_days": 7}),
    (FiguresQuery, {"unit": "grid", "unit_id": "g-1", "start": "2026-11-01",
                    "end": "2026-11-30"}),
    (MergeIn, {"original_id": "i-1"}), (Contact, {"phone": "12345678"}),
    (AttributeDef, {"code": "a", "name": "甲", "name_en": "A", "datatype": "string"}),
    (DistrictIn, {"name": "区", "code": "dd"}), (StreetIn, {"name": "街"}),
    (CommunityIn, {"street_id": "s-1", "name": "社区"}),
    (Credentials, {"username": "u", "password": "p"}),
]


@pytest.mark.parametrize(("model", "valid"), INPUTS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_input_model_refuses_unknown_fields(model, valid):
    model.model_validate(valid)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate(valid | {"$where": "1", "unexpected": 1})


def test_a_category_refuses_duplicate_attribute_codes_and_bad_hours():
    category = next(c for c in CATALOGUE if c.attributes).model_dump(mode="json")
    with pytest.raises(ValidationError, match="given twice"):
        CategoryDef.model_validate(category | {"attributes": category["attributes"] * 2})
    for field, value in (("response_hours", 0), ("resolution_hours", -1),
                         ("duplicate_radius_m", 0), ("duplicate_window_hours", float("nan"))):
        with pytest.raises(ValidationError) as caught:
            CategoryDef.model_validate(category | {field: value})
        assert caught.value.errors()[0]["loc"][0] == field


def test_an_issue_refuses_each_hostile_class_naming_its_field():
    base = dict(INPUTS[0][1])
    cases = {"description": "   ", "community_id": "c\ud800", "category": "Road!",
             "attributes": {"n": 2**64}}
    for field, value in cases.items():
        with pytest.raises(ValidationError) as caught:
            IssueIn.model_validate(base | {field: value})
        assert caught.value.errors()[0]["loc"][0] == field, (field, caught.value)
    with pytest.raises(ValidationError) as caught:
        IssueIn.model_validate(base | {"location": {"lat": float("nan"), "lng": 1.0}})
    assert caught.value.errors()[0]["loc"] == ("location", "lat")
