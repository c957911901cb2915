"""Dispatch's read model of intake's catalogue (the categories an order may name): kept from
`category.changed`/`category.removed`, seeded once from `intake.category_states`, read on the
order-making path by `_id` without asking intake (the ordering rules: `services.common.mirror`).
"""

from __future__ import annotations

from services.common.contracts.intake import CategoryState
from services.common.errors import InvalidInput
from services.common.mirror import Mirror

CATEGORIES = Mirror("dispatch", "category")


def entry_of(item: dict) -> tuple[str, str, int, bool, str | None]:
    state = CategoryState.model_validate(item)
    return state.community_id, state.code, state.version, state.removed, state.name


def check(community_id: str, code: str) -> None:
    """An order by hand names a category of its community's catalogue, or is a 422 naming
    `category` (an order made from an issue carries intake's own category: not checked)."""
    if CATEGORIES.check(community_id, code) is False:
        raise InvalidInput(f"unknown category {code!r}",
                           {"category": "not in this community's catalogue"})
