"""Never a 500 for bad input: every dispatch route answers junk with the exact 4xx, error code
and fields of its case, in the one shape."""

from __future__ import annotations

from typing import Any

from services.dispatch.service import DispatchService
from tests.platform import error_of

JUNK = [None, [], "x", {"unexpected": 1}, {"category": 5, "summary": ["a"]},
        {"departments": "police"}, {"reason": ""}, {"result": None, "evidence": "e"},
        {"sla": {"normal": "fast"}}, {"lat": "north"}, {"on_duty": "maybe"}]


def body_of(*required: str, rename: dict[str, str] | None = None,
            only: set[str] | None = None):  # noqa: ANN201
    """What a route with a body answers: not an object → the body; otherwise each junk key
    (every model forbids extras, no junk value is valid) and each missing required field."""
    def expect(body: Any) -> tuple[int, str, set[str]]:
        if not isinstance(body, dict):
            return 422, "invalid_input", {"body"}
        named = only if only is not None else {(rename or {}).get(k, k) for k in body}
        return 422, "invalid_input", named | set(required)
    return expect


def same(status: int, code: str, *fields: str):  # noqa: ANN201
    return lambda body: (status, code, set(fields))


def test_junk_bodies_and_ids_get_their_exact_4xx_in_the_error_shape(platform):
    client = platform.start(DispatchService)
    community_id = platform.community_id("A")
    admin = platform.headers("community_admin")
    order_id = client.post("/orders", headers=admin,
                           json={"category": "road", "summary": "坑"}).json()["id"]
    reason, refused = body_of("reason"), same(403, "forbidden", "role")  # not a claimer
    routes = [("post", "/orders", body_of("category", "summary")),
              ("get", "/orders?state=gone", same(422, "invalid_input", "state")),
              ("get", "/orders?pool=maybe", same(422, "invalid_input", "pool")),
              ("get", "/orders?limit=101", same(422, "invalid_input", "limit")),
              ("get", "/orders?cursor=%25%25", same(422, "invalid_input", "cursor"))]
    for oid, missing in ((order_id, same(409, "conflict", "state")),
                         ("o-none", same(404, "not_found", "order_id"))):
        routes += [("post", f"/orders/{oid}/{step}", expect) for step, expect in (
            ("claim", refused), ("acknowledge", refused),
            ("hand-back", reason), ("escalate", reason), ("whistle", body_of()),
            ("report-in", refused), ("result", body_of("result")),
            ("confirm", missing), ("return", reason))]
    routes += [("post", f"/grids/resolve?community_id={community_id}", body_of()),
               ("put", f"/grids/policy?community_id={community_id}",
                body_of(rename={"sla": "sla.normal"})),
               ("get", f"/grids/export?community_id={community_id}&format=xls",
                same(422, "invalid_input", "format")),
               ("post", "/responders", body_of("kind", "name")),
               ("put", "/responders/r-none/duty", body_of("on_duty")),
               ("get", "/grids?community_id=c-nowhere", same(404, "not_found", "community_id"))]
    for method, path, expect in routes:
        for body in JUNK:
            response = client.request(method, path, headers=admin, json=body)
            error = error_of(response)
            got = (response.status_code, error["code"], set(error["fields"]))
            assert got == expect(body), (method, path, body, response.text)
    upload = client.post(f"/grids/import?community_id={community_id}", headers=admin,
                         files={"file": ("g.geojson", b"\xff\xfe not text", "text/plain")})
    assert upload.status_code == 422 and error_of(upload)["fields"] == {"file": "encoding"}
    upload = client.post(f"/grids/import?community_id={community_id}", headers=admin,
                         files={"file": ("g.geojson", b'{"features": [1, null]}', "text/plain")})
    assert upload.status_code == 422 and error_of(upload)["fields"] == {
        "file": "a FeatureCollection of Polygon features"}
