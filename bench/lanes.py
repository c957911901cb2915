"""One lane of the reconciliation run: file → triage → claim → answer → result → confirm →
rate, each step through the gateway, retried with its own Idempotency-Key until it is
answered (a well-behaved client), and every answer recorded."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_FOR = 120.0  # a step still failing after this long is given up (and counted)
CATEGORY = "stairwell_lighting"  # triaged to the party-and-volunteer pool: an order to claim


@dataclass
class Step:
    kind: str
    first_sent: float
    status: int = 0
    attempts: int = 0
    issue_id: str | None = None
    note: str = ""


@dataclass
class Lane:
    http: httpx.Client
    tokens: dict[str, str]  # resident, community_admin, volunteer
    volunteer_id: str
    community_id: str
    steps: list[Step] = field(default_factory=list)

    def _post(self, kind: str, path: str, role: str, body: Any, issue_id: str | None,
              ok_conflict: bool = False) -> tuple[Step, dict | None]:
        step = Step(kind, time.time(), issue_id=issue_id)
        self.steps.append(step)
        key = uuid.uuid4().hex
        headers = {"Authorization": f"Bearer {self.tokens[role]}", "Idempotency-Key": key}
        while time.time() - step.first_sent < RETRY_FOR:
            step.attempts += 1
            try:
                r = self.http.post(path, json=body, headers=headers)
                step.status = r.status_code
            except httpx.HTTPError as exc:
                step.status, step.note = 0, type(exc).__name__
                time.sleep(0.5)
                continue
            if r.status_code < 300:
                return step, r.json()
            if r.status_code == 409 and ok_conflict:
                return step, None  # the caller checks who holds it
            if r.status_code < 500 and r.status_code != 429:
                step.note = r.text[:200]
                return step, None
            time.sleep(0.5)
        step.note = step.note or "gave up"
        return step, None

    def _get(self, path: str, role: str) -> dict | None:
        try:
            r = self.http.get(path, headers={"Authorization": f"Bearer {self.tokens[role]}"})
        except httpx.HTTPError:
            return None
        return r.json() if r.status_code == 200 else None

    def _wait(self, path: str, role: str, ready, seconds: float = RETRY_FOR) -> dict | None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            found = self._get(path, role)
            if found is not None and ready(found):
                return found
            time.sleep(0.5)
        return None

    def one(self, rng: random.Random) -> None:
        step, issue = self._post("submission", "/issues", "resident", {
            "community_id": self.community_id, "category": CATEGORY, "channel": "app",
            "description": f"楼道灯坏了 {rng.randrange(10**9)}",
            "attributes": {"building": f"{rng.randrange(1, 30)} 号楼"},
            "location": {"address": "东1小区"}}, None)
        if issue is None:
            time.sleep(1)  # refused: do not spin
            return
        iid = step.issue_id = issue["id"]
        _, triaged = self._post("triage", f"/issues/{iid}/triage", "community_admin", {}, iid,
                                ok_conflict=True)
        oid = f"o-{iid}"
        if self._wait(f"/orders/{oid}", "community_admin", lambda o: True) is None:
            self.steps.append(Step("order-appeared", time.time(), 0, 0, iid, "no order"))
            return
        claim, _ = self._post("claim", f"/orders/{oid}/claim", "volunteer", None, iid,
                              ok_conflict=True)
        held = self._get(f"/orders/{oid}", "community_admin") or {}
        if held.get("claimed_by") != self.volunteer_id:
            claim.note = f"held by {held.get('claimed_by')}"
            return
        for kind, path, role, body in (
                ("acknowledge", f"/orders/{oid}/acknowledge", "volunteer", None),
                ("result", f"/orders/{oid}/result", "volunteer", {"result": "换了灯泡"}),
                ("confirm", f"/orders/{oid}/confirm", "community_admin", None)):
            if self._post(kind, path, role, body, iid, ok_conflict=True)[0].status >= 300 \
                    and kind != "acknowledge":
                return
        if self._wait(f"/issues/{iid}", "resident", lambda i: i["state"] == "resolved") is None:
            self.steps.append(Step("resolved", time.time(), 0, 0, iid, "never resolved"))
            return
        self._post("rating", f"/issues/{iid}/rate", "resident", {"level": "satisfied"}, iid)
