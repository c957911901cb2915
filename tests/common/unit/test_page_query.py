"""An entrypoint's page arguments: absent ones take the defaults, bad ones are named."""

import pytest

from services.common.errors import InvalidInput
from services.common.paging import DEFAULT_PAGE, MAX_PAGE, PageQuery, page_key


def test_absent_arguments_take_the_defaults() -> None:
    assert PageQuery.of(None, None) == PageQuery(limit=DEFAULT_PAGE, cursor=None)
    assert PageQuery.of(5, "abc") == PageQuery(limit=5, cursor="abc")


@pytest.mark.parametrize(("limit", "cursor", "field"), [
    (0, None, "limit"), (MAX_PAGE + 1, None, "limit"), ("many", None, "limit"),
    (10, "x" * 513, "cursor")])
def test_a_bad_argument_is_invalid_input_naming_it(limit: object, cursor: object,
                                                   field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        PageQuery.of(limit, cursor)  # type: ignore[arg-type]
    assert field in (refused.value.fields or {})


def test_page_keys_order_by_time_then_id_within_a_scope() -> None:
    keys = [page_key("c:1", 10.5, "b"), page_key("c:1", 2.0, "z"), page_key("c:1", 10.5, "a")]
    assert sorted(keys) == [page_key("c:1", 2.0, "z"), page_key("c:1", 10.5, "a"),
                            page_key("c:1", 10.5, "b")]
    with pytest.raises(ValueError):
        page_key("c|1", 1.0, "a")
