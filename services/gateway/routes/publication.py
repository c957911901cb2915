"""公示: the public, anonymised list and map feed of a community's issues (no sign-in)."""

from __future__ import annotations

import base64
from typing import Literal

from fastapi import APIRouter, Response

from services.common.contracts.intake import PublicIssue
from services.gateway.deps import RpcDep

router = APIRouter(prefix="/public/communities/{community_id}", tags=["publication"])


def _query(category: str | None, status: str | None) -> dict:
    return {"category": category, "status": status}


@router.get("/issues", response_model=list[PublicIssue])
def public_issues(community_id: str, rpc: RpcDep, category: str | None = None,
                  status: Literal["open", "closed"] | None = None) -> list[dict]:
    """The community's issues as anyone may see them."""
    return rpc.call("intake", "public_issues", None, community_id, _query(category, status))


@router.get("/issues.geojson")
def public_map(community_id: str, rpc: RpcDep, category: str | None = None,
               status: Literal["open", "closed"] | None = None) -> dict:
    """The same, as a GeoJSON feed for the map (private matters at neighbourhood precision)."""
    items = rpc.call("intake", "public_issues", None, community_id, _query(category, status))
    features = []
    for item in items:
        if item["lat"] is None or item["lng"] is None:
            continue
        props = {k: v for k, v in item.items() if k not in ("lat", "lng")}
        features.append({"type": "Feature", "properties": props, "geometry": {
            "type": "Point", "coordinates": [item["lng"], item["lat"]]}})
    return {"type": "FeatureCollection", "features": features}


@router.get("/issues/{issue_id}/photos/{photo_id}", response_class=Response)
def public_photo(community_id: str, issue_id: str, photo_id: str, rpc: RpcDep) -> Response:
    """A published photo, re-encoded without EXIF (no GPS position)."""
    photo = rpc.call("intake", "public_photo", None, community_id, issue_id, photo_id)
    return Response(base64.b64decode(photo["data"]), media_type=photo["content_type"])
