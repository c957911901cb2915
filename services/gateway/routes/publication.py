"""公示: the public, anonymised list and map feed of a community's issues (no sign-in)."""

from __future__ import annotations

import base64
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from services.common.contracts.intake import PublicIssue
from services.common.paging import MAX_PAGE
from services.gateway.deps import PathId, QueryCode, RpcDep
from services.gateway.routes.issues import PageCursor, PageLimit
from services.gateway.routes.open311 import with_next_link

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
    next_cursor: str | None = None  # a foreign member: the next page of the feed


def _query(category: str | None, status: str | None, limit: int, cursor: str | None) -> dict:
    return {"category": category, "status": status, "limit": limit, "cursor": cursor}


@router.get("/issues", response_model=list[PublicIssue])
def public_issues(request: Request, response: Response, community_id: PathId, rpc: RpcDep,
                  category: QueryCode = None, status: Literal["open", "closed"] | None = None,
                  limit: PageLimit = MAX_PAGE, cursor: PageCursor = None) -> list[dict]:
    """The community's issues as anyone may see them, newest first, a keyset page (the
    next page's URL in the `Link` header, as Open311's GET requests)."""
    page = rpc.call("intake", "public_issues", None, community_id,
                    _query(category, status, limit, cursor))
    with_next_link(response, request, page["next_cursor"])
    return page["items"]


@router.get("/issues.geojson", response_model=PublicFeed)
def public_map(community_id: PathId, rpc: RpcDep, category: QueryCode = None,
               status: Literal["open", "closed"] | None = None,
               limit: PageLimit = MAX_PAGE, cursor: PageCursor = None) -> dict:
    """The same, as a GeoJSON feed for the map (private matters at neighbourhood precision),
    one page of it (`next_cursor` pages on)."""
    page = rpc.call("intake", "public_issues", None, community_id,
                    _query(category, status, limit, cursor))
    return {"features": [{"properties": item, "geometry": {"coordinates": [item["lng"],
                                                                          item["lat"]]}}
                         for item in page["items"]
                         if item["lat"] is not None and item["lng"] is not None],
            "next_cursor": page["next_cursor"]}


@router.get("/issues/{issue_id}/photos/{photo_id}", response_class=Response)
def public_photo(community_id: PathId, issue_id: PathId, photo_id: PathId, rpc: RpcDep) -> Response:
    """A published photo, re-encoded without EXIF (no GPS position)."""
    photo = rpc.call("intake", "public_photo", None, community_id, issue_id, photo_id)
    return Response(base64.b64decode(photo["data"]), media_type=photo["content_type"])
