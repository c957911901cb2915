"""Projects of the four lists (项目清单): planned → published (公示) → completed.

A project is made from a need and the resources matched to it; its milestones are done one
at a time, in any order; the last one done completes the project, and `project.completed`
(evaluation rates it, points may pay its participants) is written in that commit.
"""

from __future__ import annotations

from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.volunteers import ProjectCompleted
from services.common.errors import Conflict, NotFound


def publish(project: Any, now: float) -> Decision | None:
    """公示 to the residents; published already: nothing."""
    if project.state != "planned":
        return None
    return Decision(changes={"state": "published", "published_ts": now})


def complete_milestone(project: Any, index: int, now: float) -> Decision | None:
    if not 0 <= index < len(project.milestones):
        raise NotFound("no such milestone", {"index": "unknown"})
    if project.state == "planned":
        raise Conflict("publish the project first (公示)", {"project_id": "not published"})
    if getattr(project, "kind", "project") == "renewal" and project.state == "published":
        raise Conflict("the renewal is not funded yet", {"project_id": "not funded"})
    if project.milestones[index].get("done_ts"):
        return None  # done already
    milestones = [dict(m) for m in project.milestones]
    milestones[index]["done_ts"] = now
    if not all(m.get("done_ts") for m in milestones):
        return Decision(changes={"milestones": milestones})
    return Decision(
        changes={"milestones": milestones, "state": "completed", "completed_ts": now},
        events=[ProjectCompleted(project_id=project.id, community_id=project.community_id,
                                 need_id=project.need_id, owner_unit_id=project.owner_unit_id,
                                 title=project.title,
                                 participant_account_ids=list(project.participants),
                                 completed_ts=now)])
