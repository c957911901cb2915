"""Shared steps for the mediation tests: an event probe, mediators, a case walked along."""

from __future__ import annotations

import time
import uuid
from typing import Any

from deploy.waits import wait_until
from tests.dispatch.helpers import token_headers
from tests.probes import event_probe, payloads

WATCHED = ("case.opened", "mediator.requested", "case.agreed", "case.follow_up_due",
           "case.closed", "evaluation_item.opened")


EventProbe = event_probe("mediation_probe", [("mediation", t) for t in WATCHED],
                         "Keeps every mediation event it hears (as an outside consumer).")


def events(kind: str, **match: Any) -> list[dict]:
    return payloads(EventProbe, kind, **match)


def tag() -> str:
    return uuid.uuid4().hex[:8]


class Mediators:
    """The community's mediators (profiles with the skill "mediation"): whoever the offer
    of a case reaches accepts it, so tests sharing the platform never wait on each other."""

    def __init__(self, platform: Any, n: int = 2) -> None:
        self.platform, self.headers = platform, {}
        for i in range(n):
            account = f"u-mediator-{i}-{tag()}"
            headers = token_headers(platform, "operator", account)
            saved = platform.client.put("/volunteers/profile", headers=headers, json={
                "display_name": f"调解员 {i}", "kinds": ["operator"], "skills": ["mediation"],
                "consent": True, "contact": {"phone": "+86 139 0000 0000"}})
            assert saved.status_code == 200, saved.text
            self.headers[account] = headers

    def offer_of(self, case_id: str) -> tuple[str, dict] | None:
        for account, headers in self.headers.items():
            got = self.platform.client.get("/matches?offered=true", headers=headers)
            for match in got.json()["items"]:
                if match["need_kind"] == "mediation" and match["need_id"] == case_id:
                    return account, match
        return None

    def accept(self, case_id: str, accept: bool = True) -> str:
        """The mediator the case is offered to accepts (or declines: volunteers offers it
        to the next); their account id."""
        found: list = []
        assert wait_until(lambda: found.append(self.offer_of(case_id)) or found[-1],
                          timeout=20, every=0.2), f"no offer of {case_id}"
        account, match = found[-1]
        answered = self.platform.client.post(f"/matches/{match['id']}/answer",
                                             headers=self.headers[account],
                                             json={"accept": accept})
        assert answered.status_code == 200, answered.text
        return account


def wait_case(client: Any, headers: dict, case_id: str, test, timeout: float = 20) -> dict:  # noqa: ANN001
    seen: list[dict] = []

    def probe() -> bool:
        got = client.get(f"/mediation/cases/{case_id}", headers=headers)
        if got.status_code == 200:
            seen.append(got.json())
            return bool(test(seen[-1]))
        return False

    assert wait_until(probe, timeout=timeout, every=0.2), (case_id, seen[-1:])
    return seen[-1]


def walk_in(client: Any, headers: dict, parties: list[dict], **extra: Any) -> dict:
    made = client.post("/mediation/cases", headers=headers, json={
        "kind": "neighbour", "summary": "楼上漏水到楼下，双方争执", "parties": parties} | extra)
    assert made.status_code == 201, made.text
    return made.json()


def now() -> float:
    return time.time()
