"""An Open311 GeoReport v2 client that knows only the public spec files into the platform.

The client below uses the spec's paths and parameters only (form-encoded POST,
attribute[code] fields, jurisdiction_id, api_key); nothing platform-specific.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient

from services.intake.service import IntakeService
from tests.intake.helpers import HERE, sign_in
from tests.platform import PASSWORD


class GeoReportClient:
    def __init__(self, http: TestClient, endpoint: str, jurisdiction_id: str,
                 api_key: str | None = None) -> None:
        self.http, self.endpoint = http, endpoint.rstrip("/")
        self.jurisdiction_id, self.api_key = jurisdiction_id, api_key

    def get(self, path: str, **params: Any):
        return self.http.get(f"{self.endpoint}/{path}",
                             params={"jurisdiction_id": self.jurisdiction_id, **params})

    def services(self) -> list[dict]:
        return self.get("services.json").json()

    def definition(self, code: str) -> dict:
        return self.get(f"services/{code}.json").json()

    def post(self, code: str, lat: float, long: float, description: str,
             attributes: dict[str, Any]):
        form: list[tuple[str, str]] = [
            ("jurisdiction_id", self.jurisdiction_id), ("service_code", code),
            ("lat", str(lat)), ("long", str(long)), ("description", description)]
        if self.api_key:
            form.append(("api_key", self.api_key))
        for key, value in attributes.items():
            if isinstance(value, list):
                form += [(f"attribute[{key}][]", v) for v in value]
            else:
                form.append((f"attribute[{key}]", str(value)))
        return self.http.post(f"{self.endpoint}/requests.json", content=urlencode(form),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})

    def request(self, request_id: str) -> dict:
        return self.get(f"requests/{request_id}.json").json()[0]


def answer(attribute: dict) -> Any:
    """What a generic client fills in for a required attribute, from its definition alone."""
    kind = attribute["datatype"]
    if kind == "singlevaluelist":
        return attribute["values"][0]["key"]
    if kind == "multivaluelist":
        return [attribute["values"][0]["key"]]
    if kind == "number":
        return 3
    if kind == "datetime":
        return datetime.now(UTC).isoformat()
    return "3 号楼"


def _client(platform, api_key: str | None = None) -> GeoReportClient:
    return GeoReportClient(platform.client, "/open311/v2", platform.community_id("A"), api_key)


def _triaged(platform, request_id: str) -> None:
    """公示 (and so GET requests) shows a request once the community triaged it."""
    response = platform.client.post(f"/issues/{request_id}/triage",
                                    headers=sign_in(platform, "community_admin"), json={})
    assert response.status_code == 200, response.text


def _api_key(platform) -> str:
    user = platform.user("resident")
    login = platform.client.post("/auth/login", json={"username": user["username"],
                                                      "password": PASSWORD})
    return login.json()["access_token"]


def test_an_open311_client_lists_defines_posts_and_reads_back(platform):
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))
    services = client.services()
    assert len(services) >= 20
    assert {"service_code", "service_name", "metadata", "type", "keywords", "group"} <= set(
        services[0])
    with_attributes = next(s for s in services if s["metadata"])
    definition = client.definition(with_attributes["service_code"])
    assert definition["service_code"] == with_attributes["service_code"]
    required = {a["code"]: answer(a) for a in definition["attributes"] if a["required"]}
    assert required
    posted = client.post(with_attributes["service_code"], HERE["lat"], HERE["lng"],
                         "the light at the gate is out", required)
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    assert client.get(f"requests/{request_id}.json").status_code == 404  # not judged yet
    _triaged(platform, request_id)
    got = client.request(request_id)
    assert got["service_request_id"] == request_id
    assert got["service_code"] == with_attributes["service_code"]
    assert got["status"] == "open"
    assert (got["lat"], got["long"]) == (HERE["lat"], HERE["lng"])
    assert got["requested_datetime"]


def test_open311_errors_name_the_parameter(platform):
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))
    missing = client.post("lift_fault", HERE["lat"], HERE["lng"], "stuck", {"building": "3"})
    assert missing.status_code == 400
    assert missing.json() == [{"code": 400, "description": "attribute[trapped]: required",
                               "field": "attribute[trapped]"}]
    bad_lat = client.http.post("/open311/v2/requests.json", data={
        "jurisdiction_id": client.jurisdiction_id, "service_code": "street_lighting",
        "lat": "north", "long": "116.4", "description": "x", "api_key": client.api_key})
    assert bad_lat.status_code == 400 and "lat" in bad_lat.json()[0]["description"]
    unknown = client.post("ufo", HERE["lat"], HERE["lng"], "lights in the sky", {})
    assert unknown.status_code == 400 and "service_code" in unknown.json()[0]["description"]
    anonymous = _client(platform).post("street_lighting", HERE["lat"], HERE["lng"], "x", {})
    assert anonymous.status_code == 400
    assert anonymous.json()[0]["description"].startswith("api_key: ")
    assert client.get("services/ufo.json").status_code == 404
    nowhere = GeoReportClient(platform.client, "/open311/v2", "no-such-community")
    assert nowhere.get("services.json").status_code == 404


def test_every_open311_refusal_names_its_parameter_in_the_specs_shape(platform):
    """The spec's [{code, description}], the description starting with the parameter, and a
    `field` key beside it (the documented exception: clients of the spec ignore it)."""
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))
    nowhere = GeoReportClient(platform.client, "/open311/v2", "no-such-community")
    refusals = [  # (response, status, the parameter named)
        (client.post("lift_fault", HERE["lat"], HERE["lng"], "stuck", {"building": "3"}),
         400, "attribute[trapped]"),
        (client.post("ufo", HERE["lat"], HERE["lng"], "lights", {}), 400, "service_code"),
        (client.post("street_lighting", 91.0, HERE["lng"], "x", {}), 400, "lat"),
        (_client(platform).post("street_lighting", HERE["lat"], HERE["lng"], "x", {}),
         400, "api_key"),
        (client.get("services/ufo.json"), 404, "service_code"),
        (nowhere.get("services.json"), 404, "jurisdiction_id"),
        (client.get("requests/i-made-up.json"), 404, "service_request_id"),
        (client.get("nowhere.json"), 404, "path"),
        (client.get("requests.json", start_date="yesterday"), 400, "start_date"),
    ]
    for response, status, field in refusals:
        assert response.status_code == status, (field, response.text)
        errors = response.json()
        assert isinstance(errors, list) and errors, response.text
        for error in errors:
            assert set(error) == {"code", "description", "field"}, error
            assert error["code"] == status and error["field"] == field, error
            assert error["description"].startswith(f"{field}: "), error
    xml = client.get("services/ufo.xml")
    assert xml.status_code == 404
    error = ET.fromstring(xml.content).find("error")
    assert (error.findtext("code"), error.findtext("field")) == ("404", "service_code")


def test_open311_get_requests_filters(platform):
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))
    light = client.post("street_lighting", HERE["lat"], HERE["lng"], "dark", {}).json()[0]
    noise = client.post("noise", HERE["lat"], HERE["lng"], "loud",
                        {"source": "construction"}).json()[0]
    ids = {light["service_request_id"], noise["service_request_id"]}
    for request_id in ids:
        _triaged(platform, request_id)
    every = client.get("requests.json").json()
    assert {r["service_request_id"] for r in every} == ids
    only_noise = client.get("requests.json", service_code="noise").json()
    assert [r["service_request_id"] for r in only_noise] == [noise["service_request_id"]]
    by_ids = client.get("requests.json", service_request_id=",".join(sorted(ids))).json()
    assert {r["service_request_id"] for r in by_ids} == ids
    assert client.get("requests.json", status="closed").json() == []
    assert len(client.get("requests.json", status="open").json()) == 2
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.get("requests.json", start_date=future).json() == []
    rejected = platform.client.post(f"/issues/{light['service_request_id']}/reject",
                                    headers=sign_in(platform, "community_admin"),
                                    json={"reason": "not_responsible"})
    assert rejected.status_code == 200, rejected.text
    assert [r["service_request_id"] for r in client.get("requests.json").json()] == [
        noise["service_request_id"]]


def test_open311_speaks_xml_too(platform):
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))
    services = client.get("services.xml")
    assert services.status_code == 200 and services.headers["content-type"].startswith(
        "text/xml")
    root = ET.fromstring(services.content)
    assert root.tag == "services" and root[0].tag == "service"
    assert root[0].find("service_code") is not None
    definition = ET.fromstring(client.get("services/lift_fault.xml").content)
    assert definition.tag == "service_definition"
    assert [a.findtext("code") for a in definition.iter("attribute")] == ["building", "trapped"]
    assert [v.findtext("key") for v in definition.iter("value")] == ["yes", "no"]
    posted = client.http.post("/open311/v2/requests.xml", data={
        "jurisdiction_id": client.jurisdiction_id, "service_code": "street_lighting",
        "lat": str(HERE["lat"]), "long": str(HERE["lng"]), "description": "dark",
        "api_key": client.api_key})
    created = ET.fromstring(posted.content)
    request_id = created.find("request").findtext("service_request_id")
    _triaged(platform, request_id)
    one = ET.fromstring(client.get(f"requests/{request_id}.xml").content)
    assert one.tag == "service_requests"
    assert one.find("request").findtext("status") == "open"
    error = ET.fromstring(client.get("services/ufo.xml").content)
    assert error.tag == "errors" and error.find("error").findtext("code") == "404"


def test_open311_multi_value_attributes_arrive_typed(platform):
    platform.start(IntakeService)
    client = _client(platform, _api_key(platform))
    posted = client.post("garbage_collection", HERE["lat"], HERE["lng"], "bins overflowing",
                         {"waste_type": ["household", "kitchen"]})
    assert posted.status_code == 201, posted.text
    issue = platform.client.get(f"/issues/{posted.json()[0]['service_request_id']}",
                                headers=sign_in(platform, "community_admin")).json()
    assert issue["attributes"] == {"waste_type": ["household", "kitchen"]}
    assert issue["channel"] == "app"
