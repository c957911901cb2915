"""The agreement's follow-up (回访) as a durable deadline: `next_due_ts` on the case, an
indexed float; the PollTimer ranges on it with a limit and claims each due case with a
version-conditioned commit, so it fires once across replicas and restarts."""

from __future__ import annotations

import logging
import time

from services.common.aggregate import change
from services.common.caller import Caller
from services.common.store import StaleWrite
from services.mediation import domain, metrics
from services.mediation.models import MediationCase

log = logging.getLogger(__name__)
BATCH = 100


def run_due(now: float) -> int:
    fired = 0
    due = (MediationCase.objects(next_due_ts__lte=now).order_by("next_due_ts").only("id")
           .limit(BATCH))
    for case_id in [c.id for c in due]:
        try:
            done = change(lambda cid=case_id: MediationCase.objects.get(id=cid),
                          lambda c, at: domain.follow_up_fires(c, time.time()),
                          Caller.system(), derive=domain.derive)
        except StaleWrite:
            continue  # another replica fired it: the next poll re-reads
        except Exception:  # one bad case must not hold the others' deadlines
            log.exception("follow-up failed for %s", case_id)
            continue
        if done.decision is not None:
            metrics.FOLLOW_UPS.labels("due").inc()
            fired += 1
    return fired
