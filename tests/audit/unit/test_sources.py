"""Every service that emits `audit.recorded` is one the audit service subscribes to: an
unlisted source's events would have no queue and never reach the log."""

from __future__ import annotations

import re
from pathlib import Path

from services.audit.handlers import SOURCES, EventHandlers

SERVICES = Path(__file__).resolve().parents[3] / "services"
USES = re.compile(r"^from services\.common import (.*\b)?audit\b", re.MULTILINE)


def test_every_service_using_the_audit_helper_is_a_source():
    emitting = {path.relative_to(SERVICES).parts[0] for path in SERVICES.glob("*/**/*.py")
                if USES.search(path.read_text(encoding="utf-8"))}
    emitting -= {"common", "audit", "gateway"}
    assert emitting, "no service emits audit events?"
    assert emitting <= set(SOURCES), emitting - set(SOURCES)
    assert {"identity", "intake", "dispatch", "points"} <= emitting


def test_each_source_has_its_own_handler():
    for source in SOURCES:
        assert hasattr(EventHandlers, f"on_{source}_audit_recorded")
