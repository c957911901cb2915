"""`Idempotency-Key` on POST: a replay returns the first response instead of acting again.

Records live in the gateway's own database, keyed by the caller (the verified token's
user, whether it came as a bearer token or as Open311's `api_key`) and the key, so one
client can never block another's key; they expire after a day. Only an accepted request
(2xx/3xx) keeps its record: a refused one (4xx/5xx) decided nothing, and its key stays
free for the corrected retry. The key also travels to the services in the caller
context, so a service that creates records dedupes on it as well (that closes the gap
of a gateway crash between the service's write and this record).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from starlette.concurrency import run_in_threadpool

from services.common.errors import Unauthenticated
from services.gateway import tokens
from services.gateway.errors import respond
from services.gateway.middleware import BodyTooLarge

TTL = timedelta(hours=24)
MAX_KEY = 128


def ensure_indexes(records: Collection) -> None:
    records.create_index("created_at", expireAfterSeconds=int(TTL.total_seconds()))


def caller_of(request: Request, body: bytes) -> str | None:
    """The verified user a POST acts for, or None (it will be refused, or is anonymous)."""
    token = ""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        token = credentials.strip()
    elif request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"):
        token = (parse_qs(body.decode("latin-1")).get("api_key") or [""])[0]
    if not token:
        return None
    if token.startswith("ak-"):  # an Open311 app key: scoped to the key itself (its hash)
        return "app:" + hashlib.sha256(token.encode()).hexdigest()
    try:
        return tokens.verify(token, request.app.state.settings.jwt_secret, None, None).user_id
    except Unauthenticated:
        return None


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def idempotency(request: Request, call_next) -> Response:
        key = request.headers.get("idempotency-key")
        if request.method != "POST" or not key:
            return await call_next(request)
        path = request.url.path
        if len(key) > MAX_KEY:
            return respond(path, 422, "invalid_input", "Idempotency-Key too long",
                           {"Idempotency-Key": f"at most {MAX_KEY} characters"})
        try:
            body = await request.body()
        except BodyTooLarge as exc:
            return respond(path, 413, "too_large", "the request body is too large",
                           {"body": f"at most {exc.limit} bytes"})
        user = await run_in_threadpool(caller_of, request, body)
        if user is None:  # nobody to scope the key to: the route refuses or serves as usual
            return await call_next(request)
        records: Collection = request.app.state.idempotency
        record_id = hashlib.sha256(f"{user}\0{key}".encode()).hexdigest()
        fingerprint = hashlib.sha256(path.encode() + b"\0" + body).hexdigest()
        claim = {"_id": record_id, "fingerprint": fingerprint, "state": "pending",
                 "created_at": datetime.now(UTC)}
        try:
            await run_in_threadpool(records.insert_one, claim)
        except DuplicateKeyError:
            first = await run_in_threadpool(records.find_one, {"_id": record_id})
            return _replay(path, first, fingerprint)
        try:
            response = await call_next(request)
            content = b"".join([chunk async for chunk in response.body_iterator])
        except BaseException:
            await run_in_threadpool(records.delete_one, {"_id": record_id})
            raise
        if response.status_code >= 400:
            # Refused or failed: nothing was decided, so the corrected retry may use the key.
            await run_in_threadpool(records.delete_one, {"_id": record_id})
        else:
            await run_in_threadpool(records.update_one, {"_id": record_id}, {"$set": {
                "state": "done", "status": response.status_code, "body": content.decode(),
                "media_type": response.headers.get("content-type", "application/json")}})
        return Response(content=content, status_code=response.status_code,
                        headers=dict(response.headers))


def _replay(path: str, first: dict | None, fingerprint: str) -> Response:
    if first is None or first.get("state") != "done":
        return respond(path, 409, "idempotency_in_progress",
                       "a request with this Idempotency-Key is still being handled",
                       {"Idempotency-Key": "in progress"})
    if first["fingerprint"] != fingerprint:
        return respond(path, 422, "idempotency_key_reused",
                       "this Idempotency-Key was used for a different request",
                       {"Idempotency-Key": "reused with another body or path"})
    return Response(content=first["body"], status_code=first["status"],
                    media_type=first["media_type"], headers={"Idempotent-Replayed": "true"})
