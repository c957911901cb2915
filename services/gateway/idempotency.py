"""`Idempotency-Key` on POST: a replay returns the first response instead of acting again.

Records live in the gateway's own database, keyed by the caller's credentials and
the key; they expire after a day. The key also travels to the services in the
caller context, so a service that creates records dedupes on it as well (that
closes the gap of a gateway crash between the service's write and this record).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, Request, Response
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from starlette.concurrency import run_in_threadpool

from services.gateway.errors import error_response

TTL = timedelta(hours=24)
MAX_KEY = 128


def ensure_indexes(records: Collection) -> None:
    records.create_index("created_at", expireAfterSeconds=int(TTL.total_seconds()))


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def idempotency(request: Request, call_next) -> Response:
        key = request.headers.get("idempotency-key")
        if request.method != "POST" or not key:
            return await call_next(request)
        if len(key) > MAX_KEY:
            return error_response(422, "invalid_input", "Idempotency-Key too long",
                                  {"Idempotency-Key": f"at most {MAX_KEY} characters"})
        records: Collection = request.app.state.idempotency
        body = await request.body()
        record_id = hashlib.sha256(
            f"{request.headers.get('authorization', '')}\0{key}".encode()).hexdigest()
        fingerprint = hashlib.sha256(request.url.path.encode() + b"\0" + body).hexdigest()
        claim = {"_id": record_id, "fingerprint": fingerprint, "state": "pending",
                 "created_at": datetime.now(UTC)}
        try:
            await run_in_threadpool(records.insert_one, claim)
        except DuplicateKeyError:
            first = await run_in_threadpool(records.find_one, {"_id": record_id})
            return _replay(first, fingerprint)
        response = await call_next(request)
        content = b"".join([chunk async for chunk in response.body_iterator])
        if response.status_code >= 500:
            # Nothing was decided; let the client retry with the same key.
            await run_in_threadpool(records.delete_one, {"_id": record_id})
        else:
            await run_in_threadpool(records.update_one, {"_id": record_id}, {"$set": {
                "state": "done", "status": response.status_code, "body": content.decode(),
                "media_type": response.headers.get("content-type", "application/json")}})
        return Response(content=content, status_code=response.status_code,
                        headers=dict(response.headers))


def _replay(first: dict | None, fingerprint: str) -> Response:
    if first is None or first.get("state") != "done":
        return error_response(409, "idempotency_in_progress",
                              "a request with this Idempotency-Key is still being handled",
                              {"Idempotency-Key": "in progress"})
    if first["fingerprint"] != fingerprint:
        return error_response(422, "idempotency_key_reused",
                              "this Idempotency-Key was used for a different request",
                              {"Idempotency-Key": "reused with another body or path"})
    return Response(content=first["body"], status_code=first["status"],
                    media_type=first["media_type"], headers={"Idempotent-Replayed": "true"})

