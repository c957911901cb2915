"""The incubation process as data (1个孵化器平台, 4个阶段、9步流程, seed 002): stages in
order, each with its steps in order, each step with the facts it requires.

Seed 002 names four stages and nine steps but not the steps themselves: this is the
default every community starts with (version 1). A community admin may configure its own
(`configure_process`: version 2, 3, ...); an organisation keeps a copy of the version it
was registered under, so a later change of the process never moves its checklist.
No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GRADUATED = "graduated"
RECRUIT_MIN = 3  # 招募: a team, not a founder alone
TRIAL_MIN = 2  # 试运行: activities held before the team counts as running

DEFAULT_VERSION = 1
DEFAULT_STAGES: list[dict[str, Any]] = [
    {"key": "sprout", "name": "萌芽", "steps": [
        {"key": "initiate", "name": "发起", "requires": [{"kind": "founder", "min": 1},
                                                        {"kind": "purpose", "min": 1}]},
        {"key": "recruit", "name": "招募",
         "requires": [{"kind": "members", "min": RECRUIT_MIN}]}]},
    {"key": "nurture", "name": "培育", "steps": [
        {"key": "training", "name": "培训", "requires": [{"kind": "evidence", "min": 1}]},
        {"key": "trial", "name": "试运行",
         "requires": [{"kind": "activities", "min": TRIAL_MIN}]}]},
    {"key": "growth", "name": "成长", "steps": [
        {"key": "charter", "name": "章程", "requires": [{"kind": "evidence", "min": 1}]},
        {"key": "registration", "name": "备案", "requires": [{"kind": "signoff", "min": 1}]}]},
    {"key": "autonomy", "name": "自治", "steps": [
        {"key": "operate", "name": "独立运营", "requires": [{"kind": "resources", "min": 1},
                                                          {"kind": "projects", "min": 1}]},
        {"key": "evaluation", "name": "评估", "requires": [{"kind": "signoff", "min": 1}]},
        {"key": "graduation", "name": "出壳", "requires": [{"kind": "signoff", "min": 1}]}]},
]


@dataclass(frozen=True)
class Step:
    stage: str
    key: str
    name: str
    requires: tuple[dict[str, Any], ...]
    last_of_stage: bool


def steps_of(stages: list[dict[str, Any]]) -> list[Step]:
    """Every step in order, with its stage."""
    out: list[Step] = []
    for stage in stages:
        rows = list(stage["steps"])
        for n, step in enumerate(rows):
            out.append(Step(stage=stage["key"], key=step["key"], name=step["name"],
                            requires=tuple(dict(r) for r in step.get("requires") or ()),
                            last_of_stage=n == len(rows) - 1))
    return out


def stage_after(stages: list[dict[str, Any]], stage_key: str) -> str:
    """The stage that follows `stage_key` (GRADUATED after the last one)."""
    keys = [s["key"] for s in stages]
    at = keys.index(stage_key)
    return keys[at + 1] if at + 1 < len(keys) else GRADUATED


def accepts_evidence(step: Step) -> bool:
    return any(r["kind"] == "evidence" for r in step.requires)


def needs_signoff(step: Step) -> bool:
    return any(r["kind"] == "signoff" for r in step.requires)
