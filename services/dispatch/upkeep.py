"""Dispatch's timers' bounded work: repair claim counters a crash left high, a batch a run."""

from __future__ import annotations

from services.common.paging import bounds
from services.dispatch.models import ClaimCounter, Order, SweepMark

BATCH = 100  # counters looked at per run; the next run resumes after the last one
HELD_MAX = 1000  # orders read per member at most (the cap is ≤ 50; assignments add a few)
SWEEP = "claim_counters"


def reconcile_claim_counters(batch: int = BATCH) -> int:
    """Bring up to `batch` counters back to the orders their members hold; return how many
    were corrected.

    A process that dies between taking (or before releasing) a slot and the order's
    commit leaves its member one claim too many. The truth is the member's listing
    (`holder_key`: the orders they hold in a claim-holding state). Each correction is
    conditional on the value read first, so a claim racing the recount wins and a later
    pass looks again. The walk is a keyset range on `key` with a limit, resumed from
    where the last run stopped (back at the start once it reaches the end).
    """
    mark = SweepMark.objects(id=SWEEP).first() or SweepMark(id=SWEEP)
    counters = ClaimCounter._get_collection()
    page = list(counters.find({"key": {"$gt": mark.after}}).sort("key", 1).limit(batch))
    fixed = 0
    for counter in page:
        if not counter.get("open_claims"):
            continue
        held = len(list(Order._get_collection().find(
            {"holder_key": bounds(f"m:{counter['_id']}", None)}, {"_id": 1}).limit(HELD_MAX)))
        if held < counter["open_claims"]:
            fixed += counters.update_one(
                {"_id": counter["_id"], "open_claims": counter["open_claims"]},
                {"$set": {"open_claims": held}}).modified_count
    mark.after = page[-1]["key"] if len(page) == batch else ""
    mark.save()
    return fixed
