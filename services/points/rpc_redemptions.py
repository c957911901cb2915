"""Redemption entrypoints: ask, see, cancel, the code as a QR image, confirm at the counter."""

from __future__ import annotations

import base64
import io
import time
from datetime import UTC, datetime

import segno
from nameko.rpc import rpc

from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.points import (
    CodeCheckOut,
    ConfirmIn,
    QrOut,
    RedemptionIn,
    RedemptionOut,
    RedemptionPage,
)
from services.common.errors import InvalidInput, NotFound
from services.common.paging import PageQuery, fetch
from services.common.rpc import as_caller, parse, replies
from services.points import access, merchants, redemption
from services.points.models import Offer, Redemption
from services.points.rpc_books import EARNERS


def _at(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def view(doc: Redemption, who: Caller) -> RedemptionOut:
    """The code only to the resident it belongs to: the merchant learns it at the counter."""
    return RedemptionOut(id=doc.id, community_id=doc.community_id, offer_id=doc.offer_id,
                         merchant_id=doc.merchant_id, resident_id=doc.resident_id,
                         price=doc.price, state=doc.state,
                         code=doc.code if who.user_id == doc.resident_id else None,
                         reason=doc.reason, created_at=_at(doc.created_ts),
                         expires_at=_at(doc.expires_ts), confirmed_at=_at(doc.confirmed_ts))


def load(who: Caller, rid: str) -> Redemption:
    """The redemption if the caller may see it: its resident, its merchant, admins in scope."""
    doc = Redemption.objects(id=str(rid)).first()
    missing = NotFound("no such redemption", {"redemption_id": "unknown"})
    if doc is None:
        raise missing
    if who.role is Role.merchant:
        if doc.merchant_id != who.merchant_id:
            raise missing
    elif who.role in ADMIN_ROLES:
        try:
            access.require_sees(who, doc.community_id)
        except NotFound:
            raise missing from None
    elif who.role is not Role.system and doc.resident_id != who.user_id:
        raise missing
    return doc


class RedemptionEntrypoints:
    @rpc
    @replies(RedemptionOut)
    def request_redemption(self, caller: dict, data: dict) -> RedemptionOut:
        """兑换: lock the price and reserve a unit; answers with the one-time code."""
        who = as_caller(caller)
        who.require_role(*EARNERS)
        body = parse(RedemptionIn, data)
        return view(redemption.request(who, body.offer_id), who)

    @rpc
    @replies(RedemptionOut)
    def get_redemption(self, caller: dict, redemption_id: str) -> RedemptionOut:
        """One redemption (its resident sees the code)."""
        who = as_caller(caller)
        return view(load(who, redemption_id), who)

    @rpc
    @replies(RedemptionPage)
    def list_redemptions(self, caller: dict, community_id: str | None = None,
                         limit: int | None = None, cursor: str | None = None) -> RedemptionPage:
        """A resident's own redemptions, or a merchant's in a community, newest first."""
        who = as_caller(caller)
        query: PageQuery = PageQuery.of(limit, cursor)
        community_id = access.community_for(who, community_id)
        if who.role is Role.merchant:
            if not merchants.partnered(community_id, who.merchant_id or ""):
                raise NotFound("no such community", {"community_id": "unknown"})
            docs, after = fetch(Redemption.objects, "merchant_key",
                                f"{community_id}:{who.merchant_id}", query)
        else:
            who.require_role(*EARNERS)
            docs, after = fetch(Redemption.objects, "resident_key",
                                f"{community_id}:{who.user_id}", query)
        return RedemptionPage(items=[view(d, who) for d in docs], next_cursor=after)

    @rpc
    @replies(RedemptionOut)
    def cancel_redemption(self, caller: dict, redemption_id: str) -> RedemptionOut:
        """Give an issued redemption up: the points and the unit go back."""
        who = as_caller(caller)
        who.require_role(*EARNERS)
        return view(redemption.cancel(who, redemption_id), who)

    @rpc
    @replies(RedemptionOut)
    def confirm_redemption(self, caller: dict, data: dict) -> RedemptionOut:
        """At the counter: the offer's merchant confirms the code, once, before it expires."""
        who = as_caller(caller)
        who.require_role(Role.merchant)
        body = parse(ConfirmIn, data)
        return view(redemption.confirm(who, body.code), who)

    @rpc
    @replies(CodeCheckOut)
    def check_code(self, caller: dict, data: dict) -> CodeCheckOut:
        """At the counter, before confirming: what the code is for and whether it would be
        confirmed now (the offer's merchant only)."""
        who = as_caller(caller)
        who.require_role(Role.merchant)
        body = parse(ConfirmIn, data)
        doc, refusal = redemption.check(who, body.code, time.time())
        offer = Offer.objects(id=doc.offer_id).only("title").first()
        return CodeCheckOut(redemption_id=doc.id, offer_id=doc.offer_id,
                            offer_title=offer.title if offer else None, price=doc.price,
                            state=doc.state, expires_at=_at(doc.expires_ts),
                            confirmable=refusal is None, refusal=refusal)

    @rpc
    @replies(QrOut)
    def redemption_qr(self, caller: dict, redemption_id: str, fmt: str = "svg") -> QrOut:
        """The code as a QR image (its resident only), SVG or PNG."""
        who = as_caller(caller)
        doc = load(who, redemption_id)
        if doc.resident_id != who.user_id or not doc.code:
            raise NotFound("no such redemption", {"redemption_id": "unknown"})
        if fmt not in ("svg", "png"):
            raise InvalidInput("svg or png", {"fmt": "svg or png"})
        buffer = io.BytesIO()
        segno.make(doc.code, error="m").save(buffer, kind=fmt, scale=6, border=2)
        return QrOut(content_type="image/svg+xml" if fmt == "svg" else "image/png",
                     data=base64.b64encode(buffer.getvalue()).decode())
