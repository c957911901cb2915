"""Open311 GeoReport v2 (/open311/v2/): existing civic apps file into the platform unchanged.

jurisdiction_id is the community; api_key is an application's app key (issued by the
community's admins, /app-keys) or a resident's access token from /auth/login.
Errors follow the spec: a list of {code, description}, each naming the parameter.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from services.common.caller import Caller
from services.common.config import Settings
from services.common.contracts.types import Instant
from services.common.errors import DomainError, InvalidInput, NotFound, Unauthenticated
from services.common.paging import MAX_PAGE
from services.gateway import errors, media, open311, tokens
from services.gateway.deps import (
    PathCode,
    PathId,
    QueryCode,
    QueryId,
    RpcDep,
    SettingsDep,
    caller_args,
)
from services.gateway.rpc import RpcPool

router = APIRouter(prefix="/open311/v2", tags=["open311"])
log = logging.getLogger(__name__)
APP_KEY_PREFIX = "ak-"  # identity's app key ids: anything else is an access token
MAX_CATALOGUE_PAGES = 10  # of 100: a catalogue is tens of entries
DEFAULT_WINDOW = timedelta(days=90)  # the spec's default when no dates or ids are given
_INSTANT = TypeAdapter(Instant)


def _fail(exc: DomainError, fmt: str) -> Response:
    status = 400 if isinstance(exc, InvalidInput) else exc.status if exc.status < 500 else 503
    return errors.respond(f"{open311.PREFIX}.{fmt}", status, exc.code, exc.message,
                          {k: str(v) for k, v in exc.fields.items()})


def _format(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise NotFound("format must be json or xml", {"format": fmt})
    return fmt


def _jurisdiction(value: str | None) -> str:
    if not value:
        raise InvalidInput("jurisdiction_id is required", {"jurisdiction_id": "required"})
    return value


@router.get("/services.{fmt}")
def services(fmt: str, rpc: RpcDep, jurisdiction_id: QueryId = None) -> Response:
    """Service list: the community's categories."""
    try:
        # The spec's list is whole: walk the catalogue's pages (bounded: tens of entries).
        found, query = [], {}
        for _ in range(MAX_CATALOGUE_PAGES):
            page = rpc.call("intake", "list_categories", None, _jurisdiction(jurisdiction_id),
                            query)
            found += page["items"]
            if not page["next_cursor"]:
                break
            query = {"cursor": page["next_cursor"]}
        return open311.render([open311.service(c) for c in found], _format(fmt), "services")
    except DomainError as exc:
        return _fail(exc, fmt)


@router.get("/services/{code}.{fmt}")
def service_definition(code: PathCode, fmt: str, rpc: RpcDep,
                       jurisdiction_id: QueryId = None) -> Response:
    """Service definition: a category's attributes."""
    try:
        cid = _jurisdiction(jurisdiction_id)
        try:
            found = rpc.call("intake", "get_category", None, cid, code)
        except NotFound as exc:
            if "community_id" in exc.fields:
                raise
            raise NotFound("no such service", {"service_code": "unknown"}) from exc
        return open311.render(open311.definition(found), _format(fmt), "service_definition")
    except DomainError as exc:
        return _fail(exc, fmt)


@router.post("/requests.{fmt}")
async def create_request(fmt: str, request: Request, rpc: RpcDep,
                         settings: SettingsDep) -> Response:
    """POST Service Request (form-encoded, as the spec sends it)."""
    form = await request.form()
    try:
        _format(fmt)
        body = _issue_from_form(form)
        caller = await run_in_threadpool(_caller, request, rpc, settings,
                                         str(form.get("api_key") or ""), body["community_id"])
        photo = None
        if media_url := str(form.get("media_url") or "").strip():
            body["media_url"] = media_url
            photo, why = await run_in_threadpool(
                media.fetch_image, media_url, settings.max_photo_bytes,
                settings.media_fetch_seconds, frozenset(settings.media_fetch_allow_hosts))
            log.info("media_url kept as a %s (%s)", "photo" if photo else "link", why)
        created = await run_in_threadpool(rpc.call, "intake", "submit_issue",
                                          caller_args(caller), body)
        if photo is not None:
            await run_in_threadpool(_attach, rpc, caller, created["id"], photo)
    except Unauthenticated as exc:
        reason = exc.fields.get("authorization") or exc.fields.get("api_key", "invalid")
        return _fail(InvalidInput(exc.message, {"api_key": reason}), fmt)
    except DomainError as exc:
        return _fail(exc, fmt)
    reply = [{"service_request_id": created["id"], "service_notice": "", "account_id": None}]
    return open311.render(reply, fmt, "service_requests", status=201)


@router.get("/requests.{fmt}")
def get_requests(request: Request, fmt: str, rpc: RpcDep, jurisdiction_id: QueryId = None,
                 service_request_id: str | None = None, service_code: QueryCode = None,
                 start_date: str | None = None, end_date: str | None = None,
                 status: str | None = None,
                 page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
                 cursor: Annotated[str | None, Query(max_length=512)] = None) -> Response:
    """GET Service Requests with the spec's filters (public, anonymised), newest first, a
    keyset page of `page_size` (at most 100): the body is the spec's list, the next page's
    URL is in the `Link` header (rel="next") and its cursor in `X-Next-Cursor`. A page may
    be short (the public filters); the list ends when neither header is sent."""
    try:
        _format(fmt)
        query: dict[str, Any] = {"category": service_code, "limit": page_size,
                                 "cursor": cursor, "start": _date("start_date", start_date),
                                 "end": _date("end_date", end_date)}
        if service_request_id:
            query["ids"] = [i.strip() for i in service_request_id.split(",") if i.strip()]
        elif not start_date and not end_date:
            query["start"] = (datetime.now(UTC) - DEFAULT_WINDOW).isoformat()
        if status:
            statuses = {s.strip() for s in status.split(",")}
            if not statuses <= {"open", "closed"}:
                raise InvalidInput("status is open or closed", {"status": "open or closed"})
            query["status"] = statuses.pop() if len(statuses) == 1 else None
        page = rpc.call("intake", "public_issues", None, _jurisdiction(jurisdiction_id), query)
        response = open311.render([open311.request(i) for i in page["items"]], fmt,
                                  "service_requests")
        return with_next_link(response, request, page["next_cursor"])
    except DomainError as exc:
        return _fail(exc, fmt)


def with_next_link(response: Response, request: Request, cursor: str | None) -> Response:
    """The next page's URL (this request's with `cursor` set) as an RFC 8288 Link header."""
    if cursor:
        url = request.url.include_query_params(cursor=cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'
        response.headers["X-Next-Cursor"] = cursor
    return response


@router.get("/requests/{request_id}.{fmt}")
def get_request(request_id: PathId, fmt: str, rpc: RpcDep,
                jurisdiction_id: QueryId = None) -> Response:
    """GET Service Request: one request by id."""
    try:
        _format(fmt)
        found = rpc.call("intake", "public_issues", None, _jurisdiction(jurisdiction_id),
                         {"ids": [request_id]})["items"]
        if not found:
            raise NotFound("no such request", {"service_request_id": "unknown"})
        return open311.render([open311.request(i) for i in found], fmt, "service_requests")
    except DomainError as exc:
        return _fail(exc, fmt)


def _caller(request: Request, rpc: RpcPool, settings: Settings, api_key: str,
            community_id: str) -> Caller:
    """An app key's application in that community (identity checks key, scope and rate),
    or a signed-in account's token."""
    rid, key = request.state.request_id, request.headers.get("idempotency-key")
    if api_key.startswith(APP_KEY_PREFIX):
        admitted = rpc.call("identity", "admit_app_key",
                            {"api_key": api_key, "community_id": community_id})
        return Caller.model_validate(admitted | {"request_id": rid, "idempotency_key": key})
    return tokens.verify(api_key, settings.jwt_secret, rid, key, request.app.state.revocations)


def _attach(rpc: RpcPool, caller: Caller, issue_id: str, photo: bytes) -> None:
    """The fetched picture becomes the issue's photo; refused by intake's checks (not an
    image after all), the issue keeps its media_url as a link."""
    try:
        rpc.call("intake", "add_photo", caller_args(caller), issue_id,
                 base64.b64encode(photo).decode())
    except DomainError as exc:
        log.info("media_url stays a link: %s", exc)


def _date(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return _INSTANT.validate_python(
            datetime.fromisoformat(value.replace("Z", "+00:00"))).isoformat()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        raise InvalidInput(f"{name} must be a W3C date-time between 1970 and 2200",
                           {name: "invalid"}) from exc


def _issue_from_form(form: Any) -> dict:
    """The spec's parameters → an IssueIn body (the service validates it)."""
    attributes: dict[str, Any] = {}
    for key in form:
        if key.startswith("attribute[") and "]" in key:
            code = key[len("attribute["):key.index("]")]
            values = form.getlist(key)
            attributes[code] = values if key.endswith("[]") or len(values) > 1 else values[0]
    location: dict[str, Any] = {}
    for param, field in (("lat", "lat"), ("long", "lng")):
        if form.get(param) not in (None, ""):
            try:
                location[field] = float(str(form.get(param)))
            except ValueError:
                raise InvalidInput(f"{param} must be a number", {param: "not a number"}) from None
    if form.get("address_string"):
        location["address"] = str(form.get("address_string"))
    return {"community_id": _jurisdiction(form.get("jurisdiction_id")),
            "category": str(form.get("service_code") or ""),
            "description": str(form.get("description") or ""),
            "location": location, "channel": "app", "attributes": attributes}
