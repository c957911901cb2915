"""Never a 500 for bad input: every dispatch route answers junk with a 4xx in the one shape."""

from __future__ import annotations

from services.dispatch.service import DispatchService
from tests.platform import error_of

JUNK = [None, [], "x", {"unexpected": 1}, {"category": 5, "summary": ["a"]},
        {"departments": "police"}, {"reason": ""}, {"result": None, "evidence": "e"},
        {"sla": {"normal": "fast"}}, {"lat": "north"}, {"on_duty": "maybe"}]


def test_junk_bodies_and_ids_get_a_4xx_in_the_error_shape(platform):
    client = platform.start(DispatchService)
    community_id = platform.community_id("A")
    admin = headers = platform.headers("community_admin")
    order_id = client.post("/orders", headers=admin,
                           json={"category": "road", "summary": "坑"}).json()["id"]
    routes = [("post", "/orders"), ("get", "/orders?state=gone"), ("get", "/orders?pool=maybe")]
    routes += [("post", f"/orders/{oid}/{step}") for oid in (order_id, "o-none")
               for step in ("claim", "acknowledge", "hand-back", "escalate", "whistle",
                            "report-in", "result", "confirm", "return")]
    routes += [("post", f"/grids/resolve?community_id={community_id}"),
               ("put", f"/grids/policy?community_id={community_id}"),
               ("get", f"/grids/export?community_id={community_id}&format=xls"),
               ("post", "/responders"), ("put", "/responders/r-none/duty"),
               ("get", "/grids?community_id=c-nowhere")]
    for method, path in routes:
        for body in JUNK:
            response = client.request(method, path, headers=headers, json=body)
            assert 400 <= response.status_code < 500, (method, path, body, response.text)
            error_of(response)
    upload = client.post(f"/grids/import?community_id={community_id}", headers=admin,
                         files={"file": ("g.geojson", b"\xff\xfe not text", "text/plain")})
    assert upload.status_code == 422 and error_of(upload)["fields"] == {"file": "encoding"}
    upload = client.post(f"/grids/import?community_id={community_id}", headers=admin,
                         files={"file": ("g.geojson", b'{"features": [1, null]}', "text/plain")})
    assert upload.status_code == 422 and error_of(upload)["fields"] == {
        "file": "a FeatureCollection of Polygon features"}
