"""Incubation service (社会组织孵化): organisations walked through their community's stages
and steps (1个孵化器平台, 4个阶段、9步流程, seed 002) as a tracked checklist.

The class only wires dependencies; entrypoints live in the mixins by concern. No service
is called: activities and projects come from volunteers' events.
"""

from __future__ import annotations

from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.store import Store
from services.incubation.handlers import EventHandlers
from services.incubation.members import MemberEntrypoints
from services.incubation.models import DOCUMENTS
from services.incubation.organisations import OrganisationEntrypoints
from services.incubation.processes import ProcessEntrypoints


class IncubationService(OrganisationEntrypoints, MemberEntrypoints, ProcessEntrypoints,
                        EventHandlers):
    name = "incubation"
    store = Store("incubation", DOCUMENTS)
    relay = OutboxRelay()
    instrumentation = Instrumentation()
