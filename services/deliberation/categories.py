"""A community's topic categories (议题分类): one `CategorySet` per community, seeded with
seed 000's seven colours, changed by its admins through the commit frame, read by `_id`
when a topic names a category."""

from __future__ import annotations

from typing import Any

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.deliberation import CategoryIn
from services.deliberation.domain import topics as rules
from services.deliberation.models import CategorySet


def rows(community_id: str) -> list[dict[str, Any]]:
    """The community's set: its own document, or the seven colours until it has one."""
    doc = CategorySet.objects(id=community_id).first()
    return [dict(r) for r in doc.categories] if doc is not None else rules.default_rows()


def _row(categories: list, key: str) -> dict[str, Any]:
    """One category's row (the audit log's before/after), {} if absent."""
    return next((dict(r) for r in categories if dict(r).get("key") == key), {})


def put(who: Caller, community_id: str, key: str, spec: CategoryIn) -> list[dict[str, Any]]:
    """Add or change one category; the first change writes the seeded set with it."""

    def load() -> CategorySet:
        return CategorySet.objects(id=community_id).first() or CategorySet(
            id=community_id, categories=rules.default_rows())

    def decide(doc: CategorySet, at: object) -> Decision | None:
        out = rules.put_category([dict(r) for r in doc.categories], key, spec.name,
                                 spec.theme, [p.value for p in spec.parties], spec.retired)
        if out is None:
            return Decision() if doc._created else None
        return audit.attach(Decision(changes={"categories": out}), who, doc,
                            "topic_category.put", "topic_category", record_id=key,
                            before=_row(doc.categories, key), after=_row(out, key),
                            community_id=community_id)

    return [dict(r) for r in change(load, decide, who).doc.categories]
