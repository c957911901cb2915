"""一老一小 priced in points: care's events move the booker's points, never an RPC.

    care.booked (price > 0)  ──lock──▶  resident → hold   `care-lock:<booking>:<round>`
        too few points: refused ──▶ `care_charge.refused` (care cancels that round)
    care.delivered           ──spend─▶  hold → pool       `care-spend:<booking>:<round>`
    care.booking_cancelled   ──give back─▶ hold → resident `care-release:<booking>:<round>`

Each step is a ledger posting keyed by the booking and round, so a redelivered event finds
its posting and moves nothing twice. A cancel that comes before the lock puts a tombstone
on the lock's key (`ledger.void`): a late lock then cannot slip in, and nothing is owed. A
delivery that comes before the lock posts the lock itself (the same move under the same
key, which the late `care.booked` then finds) and spends it; too few points then: served
unpaid, recorded and logged. A posting still in flight (its applier crashed: the sweeper
finishes it within its lease) makes the handler fail after a pause, and the broker
redelivers the event; a refused release or spend is final (logged, not retried).
The `CareCharge` document records where the charge stands, forward only (locked → spent |
released; refused | void → unpaid), and carries the refusal's event in its own commit.
"""

from __future__ import annotations

import logging
import time

import eventlet

from services.common.aggregate import Decision, change
from services.common.caller import Caller
from services.common.contracts.care import CareBooked, CareBookingCancelled, CareDelivered
from services.common.contracts.points import AccountKind, CareChargeRefused, PostingReason
from services.points import expiry, ledger, metrics
from services.points.models import CareCharge, Posting

log = logging.getLogger(__name__)
IN_FLIGHT_PAUSE = 1.0  # before the redelivery of an event whose posting is still in flight


# where a charge may go from where it is: forward only
AFTER = {"locked": ("spent", "released"), "void": ("unpaid",), "refused": ("unpaid",)}


class InFlight(RuntimeError):
    """A posting of this charge is being applied: try the event again later."""


def _key(step: str, booking_id: str, round_: int) -> str:
    return f"care-{step}:{booking_id}:{round_}"


def _in_flight(what: str) -> InFlight:
    eventlet.sleep(IN_FLIGHT_PAUSE)  # the redelivery should not spin while the sweeper works
    return InFlight(what)


def _record(community_id: str, resident_id: str, booking_id: str, round_: int, price: int,
            state: str, events: list | None = None) -> None:
    """The charge's state, moved once (a redelivery finds it there and decides nothing)."""
    cid = f"cc-{booking_id}-{round_}"
    fresh = CareCharge(id=cid, community_id=community_id, resident_id=resident_id,
                       booking_id=booking_id, round=round_, price=price, state=state)

    def decide(charge: CareCharge, _at: object) -> Decision | None:
        if not charge._created and state not in AFTER.get(charge.state, ()):
            return None  # there already, or further on (a replay, a late event)
        return Decision(changes={"state": state, "changed_ts": time.time()},
                        events=list(events or []) if charge._created else [])

    change(lambda: CareCharge.objects(id=cid).first() or fresh, decide,
           Caller.system(request_id=f"care-charge:{cid}"))


def _lock_move(community: str, resident: str, booking_id: str, round_: int,
               price: int) -> ledger.Move:
    """The lock, the same whoever posts it first (the booking, or a delivery ahead of it)."""
    return ledger.Move(
        community, ledger.account_id(community, AccountKind.resident, resident),
        ledger.ensure_account(community, AccountKind.hold, resident), price,
        PostingReason.lock, f"care:{booking_id}:{round_}", _key("lock", booking_id, round_))


def lock(event: CareBooked) -> str:
    """The booking's price from the booker's active points to their hold, once."""
    community, resident = event.community_id, event.account_id
    # a cancel that came first left a tombstone on the key: the post answers it, void
    locked = ledger.post(_lock_move(community, resident, event.booking_id, event.round,
                                    event.price_points))
    if locked.state == "new":
        raise _in_flight(f"lock of {event.booking_id}:{event.round}")
    state = {"posted": "locked", "refused": "refused"}.get(locked.state, "void")
    refused = [CareChargeRefused(booking_id=event.booking_id, round=event.round,
                                 community_id=community, account_id=resident,
                                 price_points=event.price_points)] if state == "refused" else []
    _record(community, resident, event.booking_id, event.round, event.price_points, state,
            refused)
    return state


def give_back(event: CareBookingCancelled) -> str:
    """A cancelled round's locked points go back to the booker (none locked: nothing)."""
    community, resident = event.community_id, event.account_id
    found = ledger.posted_or_void(_key("lock", event.booking_id, event.round), community)
    if found is None:
        _record(community, resident, event.booking_id, event.round, 0, "void")
        return "void"
    if found.state == "new":
        raise _in_flight(f"lock of {event.booking_id}:{event.round}")
    if found.state != "posted":
        return found.state  # refused (or void): nothing was locked
    amount, source = found.amount, f"care:{event.booking_id}:{event.round}"
    back = ledger.post(ledger.Move(
        community, ledger.account_id(community, AccountKind.hold, resident),
        ledger.account_id(community, AccountKind.resident, resident), amount,
        PostingReason.release, source, _key("release", event.booking_id, event.round)))
    if back.state == "new":
        raise _in_flight(f"release of {event.booking_id}:{event.round}")
    if back.state != "posted":  # refused: the hold did not have it (never: it was locked)
        log.error("care %s:%s release %s", event.booking_id, event.round, back.state)
        return back.state
    # given back after its points' year end: they expire now, not a year later
    if not expiry.expire_released(community, resident, source, amount, time.time()):
        raise _in_flight(f"expiry of {source}")
    _record(community, resident, event.booking_id, event.round, amount, "released")
    return "released"


def spend(event: CareDelivered) -> str:
    """Delivered: the locked price goes to the community's pool (what it issued comes back)."""
    community, resident = event.community_id, event.resident_account_id
    found = Posting.objects(id=ledger.posting_id(_key("lock", event.booking_id, event.round))
                            ).only("state", "amount").first()
    if found is None:  # delivered before the booking's lock ran: the lock, made now
        found = ledger.post(_lock_move(community, resident, event.booking_id, event.round,
                                       event.price_points))
    if found.state == "new":
        raise _in_flight(f"lock of {event.booking_id}:{event.round}")
    if found.state != "posted":  # too few points (or cancelled first): served unpaid
        log.warning("care %s:%s delivered unpaid (%s)", event.booking_id, event.round,
                    found.state)
        _record(community, resident, event.booking_id, event.round, event.price_points,
                "unpaid")
        return "unpaid"
    amount = found.amount
    spent = ledger.post(ledger.Move(
        community, ledger.account_id(community, AccountKind.hold, resident),
        ledger.ensure_account(community, AccountKind.pool), amount, PostingReason.care,
        f"care:{event.booking_id}:{event.round}", _key("spend", event.booking_id, event.round)))
    if spent.state == "new":
        raise _in_flight(f"spend of {event.booking_id}:{event.round}")
    if spent.state != "posted":
        log.error("care %s:%s spend %s", event.booking_id, event.round, spent.state)
        return spent.state
    _record(community, resident, event.booking_id, event.round, amount, "spent")
    metrics.POINTS_SPENT.labels(PostingReason.care.value).inc(amount)
    return "spent"
