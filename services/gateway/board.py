"""五微 (seed 000): a community's public board, assembled from four services at once.

Identity names the community (404 if unknown); volunteers answers 微心愿, 微志愿 and 微更新,
deliberation 微治理, points 微积分, each through its one `board_figures` RPC. The calls go
out together over the board's own proxies (`board_rpc_pool_size`, `board_timeout_seconds`):
a service that is down or slow costs only its sections (`available: false` and why), never
the page and never more than the timeout; the main pool is never held by a public page.
The answer is kept `board_cache_seconds` per community (`Recent`), so a public page cannot
be used to hammer the services. The service owns each figure; this module only places them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from nameko.exceptions import RemoteError

from services.common.config import Settings
from services.common.contracts.board import BoardLink, BoardSection, FiveMicroOut
from services.common.errors import DomainError, NotFound, Unavailable
from services.gateway.recent import Recent
from services.gateway.rpc import RpcPool

log = logging.getLogger(__name__)
CALLS = {"identity": "public_community", "volunteers": "board_figures",
         "deliberation": "board_figures", "points": "board_figures"}
NAMES_SECONDS = 600.0  # a community seen lately is still named while identity is down


@dataclass(frozen=True)
class Spec:
    key: str
    name: str
    service: str
    figures: tuple[str, ...]
    links: tuple[tuple[str, str, str | None], ...]  # (rel, API route name, console page)


SECTIONS = (
    Spec("micro_wish", "微心愿", "volunteers", ("open_wishes", "fulfilled_wishes"),
         (("wishes", "wish_board", "/console/wishes"),)),
    Spec("micro_volunteering", "微志愿", "volunteers", ("hours", "activities_held"),
         (("activities", "list_activities", "/console/activities"),)),
    Spec("micro_governance", "微治理", "deliberation",
         ("topics_listed", "meetings_held", "decisions_approved", "votes_closed"),
         (("topics", "topic_list", "/console/topics"), ("meetings", "list_meetings", None),
          ("conventions", "list_conventions", None))),
    Spec("micro_points", "微积分", "points", ("earned", "redeemed"),
         (("ranking", "get_ranking", "/console/points"), ("offers", "list_offers", None))),
    Spec("micro_renewal", "微更新", "volunteers", ("renewal_projects", "renewal_published"),
         (("projects", "list_projects", None),)),
)
PUBLIC = (("public_issues", "public_issues"), ("public_map", "public_map"))


class Board:
    """One per gateway process (app.state.board): its proxies, threads and recent pages."""

    def __init__(self, settings: Settings, path_for: Callable[..., Any]) -> None:
        self.timeout = settings.board_timeout_seconds
        self.rpc = RpcPool(settings.amqp_uri, settings.board_rpc_pool_size, self.timeout)
        self.threads = ThreadPoolExecutor(settings.board_rpc_pool_size,
                                          thread_name_prefix="board")
        self.pages: Recent[dict] = Recent(settings.board_cache_size,
                                          settings.board_cache_seconds)
        self.names: Recent[dict] = Recent(settings.board_cache_size, NAMES_SECONDS)
        self.path_for = path_for

    def page(self, community_id: str) -> dict:
        """The community's board (a FiveMicroOut as JSON data), at most a few seconds old."""
        try:
            return self.pages.get(community_id, lambda: self._assemble(community_id),
                                  wait=3 * self.timeout + 1)
        except FutureTimeout:  # waited for another request's assembly, which hung
            raise Unavailable("the board is busy: try again", {"community_id": "busy"}) from None

    def close(self) -> None:
        self.threads.shutdown(wait=False, cancel_futures=True)
        self.rpc.close()

    def _assemble(self, community_id: str) -> dict:
        started = time.monotonic()
        calls = {service: self.threads.submit(self.rpc.call, service, method, None,
                                              community_id)
                 for service, method in CALLS.items()}
        deadline = started + self.timeout + 0.25  # the RPC's own timeout, and a margin
        answers = {service: _answer(service, call, deadline) for service, call in calls.items()}
        community = self._community(community_id, answers.pop("identity"))
        return FiveMicroOut(
            community=community, generated_at=time.time(),
            sections=[self._section(spec, community_id, answers[spec.service])
                      for spec in SECTIONS],
            links=[BoardLink(rel=rel, href=str(self.path_for(name, community_id=community_id)),
                             sign_in=False) for rel, name in PUBLIC],
        ).model_dump(mode="json")

    def _community(self, community_id: str, answer: dict | DomainError) -> dict:
        if isinstance(answer, NotFound):
            raise answer
        if isinstance(answer, DomainError):  # identity down: named if seen lately, else 503
            known = self.names.peek(community_id)
            if known is None:
                raise answer
            return known
        self.names.put(community_id, answer)
        return answer

    def _section(self, spec: Spec, community_id: str,
                 answer: dict | DomainError) -> BoardSection:
        links = [BoardLink(rel=rel, href=f"{self.path_for(name)}?community_id={community_id}",
                           console=console) for rel, name, console in spec.links]
        if isinstance(answer, DomainError):
            return BoardSection(key=spec.key, name=spec.name, service=spec.service,
                                available=False, reason=answer.message, links=links)
        # A figure an older replica of the service does not answer yet reads 0.
        figures = [{"key": k, "value": answer.get(k, 0)} for k in spec.figures]
        return BoardSection(key=spec.key, name=spec.name, service=spec.service,
                            available=True, figures=figures, links=links)


def _answer(service: str, call: Any, deadline: float) -> dict | DomainError:
    """A service's reply, or why there is none (never raises)."""
    try:
        return call.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        call.cancel()  # still queued behind busy threads: never sent at all
        return Unavailable(f"{service} did not answer in time", {"service": service})
    except DomainError as exc:
        return exc
    except RemoteError as exc:  # a bug in the service: its section only, and the log
        log.error("board: %s failed: %s", service, exc)
        return Unavailable(f"{service} failed", {"service": service})
