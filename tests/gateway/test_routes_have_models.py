"""Every gateway route declares a response model (issue #8): the walk over app.routes."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from services.gateway.app import create_app

# Routes whose body is not JSON of a contract, for good: each with its reason.
EXEMPT = {
    ("GET", "/metrics"): "Prometheus text exposition format",
    ("GET", "/issues/{issue_id}/photos/{photo_id}"): "the photo's bytes",
    ("GET", "/public/communities/{community_id}/issues/{issue_id}/photos/{photo_id}"):
        "the EXIF-free photo's bytes",
    ("GET", "/grids/export"): "CSV or GeoJSON text, as the import reads it",
    ("GET", "/points/redemptions/{redemption_id}/qr.{fmt}"): "the code's QR image (SVG or PNG)",
    ("GET", "/points/settlement.csv"): "the settlement statement as CSV",
    ("GET", "/audit/entries.csv"): "the audit log as CSV (streamed)",
    ("GET", "/activities/{activity_id}/qr"): "the door code's QR image",
    ("GET", "/evaluation/reports/{unit}/{unit_id}/{month}/charts/{kind}.{fmt}"):
        "the monthly chart as PNG or SVG",
    ("GET", "/evaluation/reports/{unit}/{unit_id}/{month}/export"):
        "the month as CSV or as one printable HTML page",
    ("GET", "/open311/v2/services.{fmt}"): "Open311 JSON or XML by {fmt}, the spec's shape",
    ("GET", "/open311/v2/services/{code}.{fmt}"): "Open311 JSON or XML by {fmt}",
    ("POST", "/open311/v2/requests.{fmt}"): "Open311 JSON or XML by {fmt}",
    ("GET", "/open311/v2/requests.{fmt}"): "Open311 JSON or XML by {fmt}",
    ("GET", "/open311/v2/requests/{request_id}.{fmt}"): "Open311 JSON or XML by {fmt}",
    ("GET", "/projects/{project_id}/photos/{photo_id}"): "a renewal's EXIF-free photo's bytes",
}
# Routes still answering an untyped dict because their service has no contract for the
# reply yet: this list only shrinks (the grid routes left it with GridOut, GridImportReport
# and GridPlace; every RPC reply is typed, tests/common/test_entrypoints_typed.py).
AWAITING_CONTRACT: set[tuple[str, str]] = set()


def _routes() -> dict[tuple[str, str], APIRoute]:
    """Every (method, full path) of the app, through included routers (mounted lazily)."""
    found = {}
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if context.path.startswith("/console"):  # the web console's HTML pages (no JSON API)
            continue
        if isinstance(route, APIRoute):
            for method in route.methods:
                found[(method, context.path)] = route
    return found


def _typed(model: Any) -> bool:
    """A contract model, or a list of them. FastAPI takes `-> dict` as a response model too:
    that, `list[dict]` and `Any` are untyped replies."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return True
    return get_origin(model) is list and all(_typed(arg) for arg in get_args(model))


def test_every_route_declares_a_response_model():
    routes = _routes()
    assert len(routes) > 50  # the walk reached the routers' routes, not only the app's own
    untyped = {key for key, route in routes.items() if not _typed(route.response_model)}
    missing = untyped - set(EXEMPT) - AWAITING_CONTRACT
    assert not missing, f"routes without a response_model: {sorted(missing)}"


def test_the_exemptions_and_the_allow_list_name_real_untyped_routes():
    routes = _routes()
    for key in [*EXEMPT, *AWAITING_CONTRACT]:
        assert key in routes, f"{key} is no route: drop it from the list"
    typed = {key for key in AWAITING_CONTRACT if _typed(routes[key].response_model)}
    assert not typed, f"now typed, drop from AWAITING_CONTRACT: {sorted(typed)}"
