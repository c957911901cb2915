"""Services as `nameko run` targets that stop dead at a named point of the counters' fold
(LINLI_TEST_CRASH_AT), so a test can SIGKILL them exactly there:

- `before_fold`: the aggregate and its counter difference are committed, nothing folded;
- `after_apply`: the counters moved, the entry is still pending on the aggregate.

    ServiceProcess("tests.common.crash_points:IntakeService", ..., test_crash_at="after_apply")
"""

from __future__ import annotations

import os

import eventlet

from services.common import counters
from services.dispatch.service import DispatchService  # noqa: F401  (a target)
from services.intake.service import IntakeService  # noqa: F401  (a target)

AT = os.environ.get("LINLI_TEST_CRASH_AT", "")
_fold = counters.fold


def _stuck_fold(doc_cls, doc_id, version, entries, others=None, by_writer=True) -> None:
    if AT == "after_apply":
        store = doc_cls.tally_document._get_collection()
        for e in entries:
            for scope, inc in e["scopes"].items():
                counters.apply_once(store, scope, e["id"], inc)
    if AT in ("before_fold", "after_apply") and by_writer:
        eventlet.sleep(3600)  # the test kills the process here
    _fold(doc_cls, doc_id, version, entries, others, by_writer)


counters.fold = _stuck_fold
