"""公示: the public, anonymised list and map feed of a community's issues (no sign-in)."""

from __future__ import annotations

import base64
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from services.common.contracts.intake import PublicIssue
from services.gateway.deps import PathId, QueryCode, RpcDep

router = APIRouter(prefix="/public/communities/{community_id}", tags=["publication"])


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]  # GeoJSON order: [lng, lat]


class PublicFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    properties: PublicIssue
    geometry: PointGeometry


class PublicFeed(BaseModel):
    """The public list as a GeoJSON FeatureCollection (issues without a point are left out)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[PublicFeature]


def _query(category: str | None, status: str | None) -> dict:
    return {"category": category, "status": status}


@router.get("/issues", response_model=list[PublicIssue])
def public_issues(community_id: PathId, rpc: RpcDep, category: QueryCode = None,
                  status: Literal["open", "closed"] | None = None) -> list[dict]:
    """The community's issues as anyone may see them."""
    return rpc.call("intake", "public_issues", None, community_id, _query(category, status))


@router.get("/issues.geojson", response_model=PublicFeed)
def public_map(community_id: PathId, rpc: RpcDep, category: QueryCode = None,
               status: Literal["open", "closed"] | None = None) -> dict:
    """The same, as a GeoJSON feed for the map (private matters at neighbourhood precision)."""
    items = rpc.call("intake", "public_issues", None, community_id, _query(category, status))
    return {"features": [{"properties": item, "geometry": {"coordinates": [item["lng"],
                                                                          item["lat"]]}}
                         for item in items if item["lat"] is not None and item["lng"] is not None]}


@router.get("/issues/{issue_id}/photos/{photo_id}", response_class=Response)
def public_photo(community_id: PathId, issue_id: PathId, photo_id: PathId, rpc: RpcDep) -> Response:
    """A published photo, re-encoded without EXIF (no GPS position)."""
    photo = rpc.call("intake", "public_photo", None, community_id, issue_id, photo_id)
    return Response(base64.b64decode(photo["data"]), media_type=photo["content_type"])
