"""The vocabulary intake and dispatch share (三事分流, 四类事, urgency, levels, locations).

Kept apart from either service's events so both depend on it, not on each other.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from services.common.contracts.types import Latitude, Longitude, Summary, Text


class Route(StrEnum):
    """三事分流: who handles it."""

    community = "community"  # 大事社区办: the community makes a work order
    party_volunteer = "party_volunteer"  # 小事党群办: the party-and-volunteer pool
    residents = "residents"  # 私事居民办: guidance back to the residents


class IssueClass(StrEnum):
    """四类事."""

    public = "public"  # 公共事
    hardship = "hardship"  # 困难事
    priority = "priority"  # 重点事 (governance priority)
    special = "special"  # 特殊事 (raised by a deliberating party)


class Urgency(StrEnum):
    urgent = "urgent"  # danger to people or property: hours
    high = "high"  # water / power / gas / heating: a day
    normal = "normal"
    complex = "complex"  # needs several units: weeks


class Level(StrEnum):
    """Escalation ladder (上报): grid → community → street → district."""

    grid = "grid"
    community = "community"
    street = "street"
    district = "district"


LEVELS = (Level.grid, Level.community, Level.street, Level.district)


Address = Text(200, line=True)


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: Latitude | None = None
    lng: Longitude | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def _point_is_whole(self) -> Location:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng go together")
        if self.lat is None and not self.address:
            raise ValueError("give lat/lng or an address")
        return self


class ReasonIn(BaseModel):
    """Why: a hand-back, an escalation, a return, a reopen."""

    model_config = ConfigDict(extra="forbid")
    reason: Summary

