"""Micro-wish rules (微心愿): open → claimed → fulfilled, or cancelled while open.

A claim is a commit conditioned on the version read: of volunteers claiming at once,
exactly one commit lands and the others, re-reading, find the wish claimed (409). The
resident's confirmation writes `wish.fulfilled` and `volunteer.hours_logged` with the
state change, in one commit (the outbox).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.volunteers import VolunteerHoursLogged, WishFulfilled
from services.common.errors import Conflict, Forbidden
from services.common.paging import page_key
from services.volunteers.domain import service_items


def keys(wish: Any) -> dict[str, str | None]:
    """The wish's page keys: the community board while open, the resident's, the volunteer's."""
    at = wish.created_ts
    return {
        "board_key": page_key(f"c:{wish.community_id}:open", at, wish.id)
        if wish.state == "open" else None,
        "mine_key": page_key(f"r:{wish.resident_account_id}", at, wish.id),
        "claimed_key": page_key(f"v:{wish.volunteer_account_id}", at, wish.id)
        if wish.volunteer_account_id else None,
    }


def claim(wish: Any, volunteer_id: str, now: float) -> Decision:
    if wish.resident_account_id == volunteer_id:
        raise Forbidden("you cannot claim your own wish", {"wish_id": "yours"})
    if wish.state != "open":
        raise Conflict("already claimed", {"wish_id": f"wish is {wish.state}"})
    return Decision(changes={"state": "claimed", "volunteer_account_id": volunteer_id,
                             "claimed_ts": now})


def fulfil(wish: Any, resident_id: str, now: float, rating: int | None,
           note: str | None, volunteer_kinds: Iterable[str] = ()) -> Decision | None:
    """The resident confirms; a repeat of a done confirmation changes nothing. The same
    commit opens the volunteer's service for the resident to rate in evaluation."""
    if wish.state == "fulfilled":
        return None
    if wish.state != "claimed":
        raise Conflict("nobody has claimed this wish", {"wish_id": f"wish is {wish.state}"})
    volunteer = wish.volunteer_account_id
    return Decision(
        changes={"state": "fulfilled", "fulfilled_ts": now, "rating": rating, "note": note},
        events=[
            WishFulfilled(wish_id=wish.id, community_id=wish.community_id,
                          resident_account_id=resident_id, volunteer_account_id=volunteer,
                          fulfilled_ts=now),
            VolunteerHoursLogged(log_id=f"h-wish-{wish.id}-{volunteer}",
                                 community_id=wish.community_id, account_id=volunteer,
                                 hours=wish.hours, source_kind="wish", source_id=wish.id,
                                 logged_ts=now),
            service_items.opened("wish", wish.id, wish.community_id, wish.title, volunteer,
                                 volunteer_kinds, [resident_id], now)])


def cancel(wish: Any) -> Decision:
    if wish.state != "open":
        raise Conflict("only an open wish can be withdrawn", {"wish_id": f"wish is {wish.state}"})
    return Decision(changes={"state": "cancelled"})


def release(wish: Any, volunteer_id: str) -> Decision:
    """The claiming volunteer gives the wish back to the board."""
    if wish.state != "claimed" or wish.volunteer_account_id != volunteer_id:
        raise Conflict("you do not hold this wish", {"wish_id": f"wish is {wish.state}"})
    return Decision(changes={"state": "open", "volunteer_account_id": None, "claimed_ts": None})
