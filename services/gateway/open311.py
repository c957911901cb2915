"""Open311 GeoReport v2 formats: platform models → the spec's JSON and XML shapes."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from fastapi import Response
from fastapi.responses import JSONResponse

from services.common.contracts.intake import OPEN_STATES

PREFIX = "/open311/v2/"

# The tags of list items in the spec's XML (everything else is one element per key).
ITEM_TAGS = {"services": "service", "attributes": "attribute", "values": "value",
             "service_requests": "request", "errors": "error"}
# Platform field → the spec's parameter, so a 4xx names what the client sent.
PARAMS = {"community_id": "jurisdiction_id", "category": "service_code", "location": "lat",
          "location.lat": "lat", "location.lng": "long", "location.address": "address_string",
          "code": "service_code", "issue_id": "service_request_id", "token": "api_key",
          "authorization": "api_key", "form": "body"}
# A refusal whose error names no field still names the part of the request at fault.
FIELD_OF_STATUS = {401: "api_key", 403: "api_key", 404: "path", 405: "method", 413: "body",
                   429: "api_key"}


def service(category: dict) -> dict:
    return {"service_code": category["code"], "service_name": category["name"],
            "description": category["name_en"], "metadata": bool(category["attributes"]),
            "type": "realtime", "keywords": ",".join(category["keywords"]),
            "group": category["group"]}


def definition(category: dict) -> dict:
    return {"service_code": category["code"], "attributes": [
        {"variable": True, "code": a["code"], "datatype": a["datatype"],
         "required": a["required"], "datatype_description": a["name_en"], "order": i,
         "description": f"{a['name']} / {a['name_en']}",
         "values": [{"key": v["key"], "name": v["name"]} for v in a["values"]]}
        for i, a in enumerate(category["attributes"], start=1)]}


def request(item: dict) -> dict:
    return {"service_request_id": item["id"],
            "status": "open" if item["state"] in OPEN_STATES else "closed",
            "status_notes": item["state"], "service_name": item["category_name"],
            "service_code": item["category"], "description": item["summary"],
            "agency_responsible": item["route"], "service_notice": "",
            "requested_datetime": item["created_at"], "updated_datetime": item["updated_at"],
            "expected_datetime": None, "address": item["address"], "address_id": None,
            "zipcode": None, "lat": item["lat"], "long": item["lng"],
            "media_url": (f"/public/communities/{item['community_id']}/issues/{item['id']}"
                          f"/photos/{item['photos'][0]}" if item["photos"]
                          else item.get("media_url"))}


def param_of(field: str) -> str:
    if field.startswith("attributes."):
        return f"attribute[{field.split('.', 1)[1]}]"
    return PARAMS.get(field, field)


def errors(status: int, message: str, fields: dict[str, str]) -> list[dict]:
    """The spec's errors ([{code, description}]); each description starts with the parameter
    at fault, which `field` repeats (a key the spec does not have: clients ignore it)."""
    if not fields:
        fields = {FIELD_OF_STATUS.get(status, "request"): message}
    return [{"code": status, "description": f"{param_of(k)}: {v}", "field": param_of(k)}
            for k, v in fields.items()]


def render(body: Any, fmt: str, root: str, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, body), status_code=status, media_type="text/xml")
    return JSONResponse(body, status_code=status)


def to_xml(root: str, body: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, root, body)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _fill(element: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEM_TAGS.get(tag, "item")), "", item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), key, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
