"""The evaluation items a finished service opens (评: residents rate the volunteer).

When a volunteer's or operator's service ends — a match's order confirmed, a wish
fulfilled, an activity's first check-out — the commit that ends it also writes
`evaluation_item.opened` (evaluation's contract); evaluation's `item.rated` comes back and
folds into the profile's rating (`profiles.fold_rating`). The item's id names its source,
so a repeated end (guarded by each source's own once-flag) never opens two.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from services.common.contracts.evaluation import EvaluationItemOpened, ItemKind

RATE_DAYS = 14  # how long the people served may rate a service after it ends
MAX_RATERS = 50  # the contract's bound; a bigger audience is the whole community


def item_id(source_kind: str, source_id: str) -> str:
    """`svc-<o|w|a>-<source id>`: one item per order, wish or activity."""
    return f"svc-{source_kind[0]}-{source_id}"


def kind_of(profile_kinds: Iterable[str]) -> ItemKind:
    """A community operator's (社区运营官) service, or any other volunteer's."""
    return (ItemKind.operator_service if "operator" in set(profile_kinds)
            else ItemKind.volunteer_service)


def opened(source_kind: str, source_id: str, community_id: str, title: str,
           subject_id: str, profile_kinds: Iterable[str], raters: Iterable[str],
           now: float) -> EvaluationItemOpened:
    """The item for `subject_id`'s service. `raters`: the people served (without the
    subject); more than the contract holds, or none known, means any resident of the
    community may rate it, once each."""
    named = list(dict.fromkeys(r for r in raters if r and r != subject_id))
    return EvaluationItemOpened(
        item_id=item_id(source_kind, source_id), kind=kind_of(profile_kinds),
        community_id=community_id, title=(title or source_kind)[:200], subject_id=subject_id,
        raters=named if len(named) <= MAX_RATERS else [],
        closes_at=datetime.fromtimestamp(now + RATE_DAYS * 86400, UTC))
