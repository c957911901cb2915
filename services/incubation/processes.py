"""A community's incubation process (the default, or the admin's own, versioned) and the
figures by stage and kind (the counters the organisations' commits move)."""

from __future__ import annotations

import copy
import time
from typing import Any

from nameko.rpc import rpc

from services.common import access, audit
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.incubation import FiguresOut, OrganisationKind, ProcessIn, ProcessOut
from services.common.errors import NotFound
from services.common.rpc import as_caller, parse, replies
from services.incubation.models import IncubationCounts, Process
from services.incubation.process import DEFAULT_STAGES, DEFAULT_VERSION, GRADUATED
from services.incubation.views import NO_RECORDS


def current(community_id: str) -> tuple[int, list[dict[str, Any]]]:
    """The version and stages an organisation registered now starts under."""
    found = Process.objects(id=community_id).first()
    if found is None:
        return DEFAULT_VERSION, copy.deepcopy(DEFAULT_STAGES)
    return int(found.number), [dict(s) for s in found.stages]


def _readable(who: Caller, place: access.Home) -> None:
    if who.role in NO_RECORDS:
        raise NotFound("no such community", {"community_id": "unknown"})


class ProcessEntrypoints:
    @rpc
    @replies(ProcessOut)
    def get_process(self, caller: dict, community_id: str | None = None) -> dict:
        """The stages and steps an organisation registered in the community now follows."""
        who = as_caller(caller)
        place = access.home(who, community_id)
        _readable(who, place)
        version, stages = current(place.community_id)
        return {"community_id": place.community_id, "version": version, "stages": stages}

    @rpc
    @replies(ProcessOut)
    def configure_process(self, caller: dict, data: dict,
                          community_id: str | None = None) -> dict:
        """The community admin's own process: a new version for organisations registered
        from now on (those registered before keep theirs)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        spec = parse(ProcessIn, data)
        place = access.home(who, community_id)
        stages = spec.model_dump(mode="json")["stages"]
        fresh = Process(id=place.community_id, district_id=place.district_id,
                        street_id=place.street_id, community_id=place.community_id,
                        number=DEFAULT_VERSION, stages=[])

        def decide(p: Process, _at: object) -> Decision | None:
            made = Decision(changes={"number": int(p.number) + 1, "stages": stages,
                                     "changed_ts": time.time()})
            return audit.attach(made, who, p, "process.configure", "incubation_process",
                                before={"number": p.number}, after={"number": p.number + 1})

        done = change(lambda: Process.objects(id=place.community_id).first() or fresh,
                      decide, who)
        return {"community_id": place.community_id, "version": done.doc.number,
                "stages": list(done.doc.stages)}

    @rpc
    @replies(FiguresOut)
    def incubation_figures(self, caller: dict, community_id: str | None = None) -> FiguresOut:
        """Organisations by stage and kind (one counters read, never a count)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        place = access.home(who, community_id)
        row = IncubationCounts._get_collection().find_one(
            {"_id": f"c:{place.community_id}"}) or {}
        stages = {k.removeprefix("stage_"): int(v) for k, v in row.items()
                  if k.startswith("stage_") and int(v)}
        return FiguresOut(
            community_id=place.community_id, organisations=int(row.get("organisations") or 0),
            by_stage=stages,
            by_kind={k.value: int(row.get(f"kind_{k.value}") or 0) for k in OrganisationKind},
            graduated=stages.get(GRADUATED, 0))
