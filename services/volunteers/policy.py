"""A community's volunteers settings (`VolunteerPolicy`), read with their defaults.

A community without a row has the defaults; a read is one lookup by `_id`."""

from __future__ import annotations

from dataclasses import dataclass

from services.volunteers.models import VolunteerPolicy

DEFAULT_ORDER_HOURS = 1.0  # an order's hours when its resolution time is not usable
DEFAULT_ORDER_HOURS_MAX = 8.0  # a longer resolution time is not taken as work done


@dataclass(frozen=True)
class Settings:
    order_hours: float = DEFAULT_ORDER_HOURS
    order_hours_max: float = DEFAULT_ORDER_HOURS_MAX


def of(community_id: str) -> Settings:
    row = VolunteerPolicy.objects(id=community_id).first()
    if row is None:
        return Settings()
    return Settings(order_hours=row.order_hours or DEFAULT_ORDER_HOURS,
                    order_hours_max=row.order_hours_max or DEFAULT_ORDER_HOURS_MAX)
