"""Open311 app keys through the gateway: one key files into its community and is refused
for another, a revoked key is refused, a key past its rate answers 429; media_url becomes a
photo when it is a reachable image, a link otherwise."""

from __future__ import annotations

import contextlib
import http.server
import io
import threading
import uuid
from collections.abc import Iterator

from PIL import Image

from services.gateway import media
from tests.intake.helpers import HERE
from tests.platform import error_of


def _form(community_id: str, api_key: str, **extra: str) -> dict:
    return {"api_key": api_key, "jurisdiction_id": community_id,
            "service_code": "street_lighting", "description": "路灯不亮了",
            "lat": str(HERE["lat"]), "long": str(HERE["lng"]),
            "address_string": HERE["address"]} | extra


def _key(aplatform, communities: list[str], admin: str = "district_admin", **extra) -> dict:
    response = aplatform.client.post("/app-keys", headers=aplatform.headers(admin), json={
        "name": f"app {uuid.uuid4().hex[:6]}", "community_ids": communities} | extra)
    assert response.status_code == 201, response.text
    return response.json()


def test_one_key_files_into_its_community_and_not_another(aplatform):
    client, a, b = aplatform.client, aplatform.community_id("A"), aplatform.community_id("B")
    key = _key(aplatform, [a])
    filed = client.post("/open311/v2/requests.json", data=_form(a, key["api_key"]))
    assert filed.status_code == 201, filed.text
    issue_id = filed.json()[0]["service_request_id"]
    seen = client.get(f"/issues/{issue_id}", headers=aplatform.headers("community_admin"))
    assert seen.status_code == 200
    assert seen.json()["submitted_by"] == key["id"] and seen.json()["reporter_id"] is None
    refused = client.post("/open311/v2/requests.json", data=_form(b, key["api_key"]))
    assert refused.status_code == 403
    assert refused.json()[0]["field"] == "jurisdiction_id"
    forged = client.post("/open311/v2/requests.json",
                         data=_form(a, key["api_key"][:-4] + "AAAA"))
    assert forged.status_code == 400 and forged.json()[0]["field"] == "api_key"
    listed = client.get(f"/app-keys?community_id={a}", headers=aplatform.headers("district_admin"))
    assert [k["id"] for k in listed.json()].count(key["id"]) == 1
    assert "api_key" not in listed.json()[0]


def test_a_revoked_key_is_refused(aplatform):
    client, a = aplatform.client, aplatform.community_id("A")
    key = _key(aplatform, [a], admin="community_admin")
    filed = client.post("/open311/v2/requests.json", data=_form(a, key["api_key"]))
    assert filed.status_code == 201
    far_admin = aplatform.headers("community_admin", "B")
    assert client.post(f"/app-keys/{key['id']}/revoke", headers=far_admin).status_code == 404
    revoked = client.post(f"/app-keys/{key['id']}/revoke",
                          headers=aplatform.headers("community_admin"))
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    refused = client.post("/open311/v2/requests.json", data=_form(a, key["api_key"]))
    assert refused.status_code == 400
    assert refused.json()[0]["description"] == "api_key: revoked"


def test_a_key_over_its_rate_answers_429(aplatform):
    client, a = aplatform.client, aplatform.community_id("A")
    key = _key(aplatform, [a], rate_limit_per_minute=2)
    answers = [client.post("/open311/v2/requests.json", data=_form(a, key["api_key"])).status_code
               for _ in range(3)]
    assert answers[-1] == 429 and answers.count(201) >= 1  # 2 a minute: a window may turn over
    assert 429 in answers


def test_a_community_admin_issues_keys_for_their_community_only(aplatform):
    client = aplatform.client
    admin = aplatform.headers("community_admin")
    other = client.post("/app-keys", headers=admin, json={
        "name": "x", "community_ids": [aplatform.community_id("B")]})
    assert other.status_code == 404 and "community_ids" in error_of(other)["fields"]
    resident = client.post("/app-keys", headers=aplatform.headers("resident"), json={
        "name": "x", "community_ids": [aplatform.community_id("A")]})
    assert resident.status_code == 403


def _png(size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@contextlib.contextmanager
def _server(routes: dict[str, tuple[str, bytes]]) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            kind, body = routes.get(self.path, ("text/plain", b"missing"))
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_media_url_becomes_a_photo_when_it_is_a_reachable_image(aplatform):
    client, a = aplatform.client, aplatform.community_id("A")
    key = _key(aplatform, [a])
    admin = aplatform.headers("community_admin")
    big = b"\x89PNG" + b"0" * (aplatform.settings.max_photo_bytes + 1)
    with _server({"/lamp.png": ("image/png", _png()), "/page": ("text/html", b"<html>"),
                  "/big.png": ("image/png", big)}) as base:
        outcomes = {}
        for path in ("/lamp.png", "/page", "/big.png"):
            filed = client.post("/open311/v2/requests.json",
                                data=_form(a, key["api_key"], media_url=base + path))
            assert filed.status_code == 201, filed.text
            issue = client.get(f"/issues/{filed.json()[0]['service_request_id']}",
                               headers=admin).json()
            assert issue["media_url"] == base + path
            outcomes[path] = len(issue["photos"])
    assert outcomes == {"/lamp.png": 1, "/page": 0, "/big.png": 0}


def test_a_redirect_to_a_private_address_is_not_followed():
    """127.0.0.1 is let through by name (the tests' allowlist); its redirect to `localhost`,
    the same loopback under another name, is checked again and refused."""
    with _server({"/lamp.png": ("image/png", _png())}) as base:
        port = base.rsplit(":", 1)[1]

        class Redirect(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{port}/lamp.png")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        hop = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=hop.serve_forever, daemon=True).start()
        try:
            first = f"http://127.0.0.1:{hop.server_address[1]}/go"
            allowed = frozenset({"127.0.0.1"})
            assert media.fetch_image(first, 10_000, 2.0, allowed) == (None, "private address")
            assert media.fetch_image(base + "/lamp.png", 10_000, 2.0, allowed)[1] == "photo"
            assert media.fetch_image(base + "/lamp.png", 10_000, 2.0)[1] == "private address"
        finally:
            hop.shutdown()
            hop.server_close()
