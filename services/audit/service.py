"""Audit service (审计日志): every admin act of every service, append-only.

Services emit `audit.recorded` in the same commit as the act (services/common/audit.py);
this service stores each event once and lists them. It answers reads only: no RPC
changes or removes an entry. It publishes nothing; the relay only runs the store's chores.
"""

from __future__ import annotations

from nameko.rpc import rpc

from services.audit import entries
from services.audit.handlers import EventHandlers
from services.audit.models import DOCUMENTS
from services.common.caller import Role
from services.common.contracts.audit import AuditPage, AuditQuery
from services.common.metrics import Instrumentation
from services.common.rpc import as_caller, parse, replies
from services.common.store import Store


class AuditService(EventHandlers):
    name = "audit"
    store = Store("audit", DOCUMENTS)
    instrumentation = Instrumentation()

    @rpc
    @replies(AuditPage)
    def list_entries(self, caller: dict, query: dict | None = None) -> AuditPage:
        """Newest first: the district admin reads the district's, a street or community
        admin their own scope's; filters by community, actor, action, record type, time."""
        return entries.page(as_caller(caller), parse(AuditQuery, query or {}))

    @rpc
    @replies(AuditPage)
    def export_entries(self, caller: dict, query: dict | None = None) -> AuditPage:
        """The same pages, for the CSV export: the district admin only."""
        who = as_caller(caller)
        who.require_role(Role.district_admin)
        return entries.page(who, parse(AuditQuery, query or {}))
