"""Partner merchants (社区合伙人 / 爱心商家) and their offers."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from mongoengine.errors import NotUniqueError

from services.common import audit
from services.common.aggregate import Decision, change
from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.points import (
    AccountKind,
    MerchantIn,
    MerchantOut,
    OfferIn,
    OfferOut,
    OfferPage,
    OfferUpdate,
)
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.paging import Page, PageQuery, fetch, page_key
from services.points import access, domain, ledger
from services.points.models import Offer, Partner


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def onboard(caller: Caller, data: MerchantIn) -> MerchantOut:
    """A community admin makes a merchant a partner of its community (idempotent)."""
    community_id = access.community_for(caller, data.community_id)
    access.require_own(caller, community_id)
    now = time.time()
    pid = f"{community_id}|{data.merchant_id}"
    partner = Partner(id=pid, community_id=community_id, merchant_id=data.merchant_id,
                      name=data.name, modes=[m.value for m in data.modes],
                      onboarded_by=caller.user_id, created_ts=now,
                      page_key=page_key(community_id, now, data.merchant_id))
    audit.record_on(partner, caller, "merchant.onboard", "merchant", data.merchant_id,
                    after={"name": data.name, "modes": partner.modes}, community_id=community_id)
    try:
        partner.commit()
    except NotUniqueError:  # onboarded already: nothing new, nothing recorded
        partner = Partner.objects.get(id=pid)
    ledger.ensure_account(community_id, AccountKind.merchant, data.merchant_id)
    return merchant_view(partner)


def merchant_view(p: Partner) -> MerchantOut:
    return MerchantOut(merchant_id=p.merchant_id, community_id=p.community_id, name=p.name,
                       modes=p.modes, onboarded_by=p.onboarded_by, created_at=_at(p.created_ts))


def partners(caller: Caller, community_id: str, query: PageQuery) -> Page[MerchantOut]:
    access.require_sees(caller, community_id)
    docs, cursor = fetch(Partner.objects, "page_key", community_id, query)
    return Page[MerchantOut](items=[merchant_view(d) for d in docs], next_cursor=cursor)


def partnered(community_id: str, merchant_id: str) -> bool:
    return Partner.objects(id=f"{community_id}|{merchant_id}").only("id").first() is not None


def create_offer(caller: Caller, data: OfferIn) -> OfferOut:
    """A merchant offers as itself in a community it is a partner of; an admin for one."""
    if caller.role is Role.merchant:
        community_id = access.community_for(caller, data.community_id)
        merchant_id = caller.merchant_id or ""
    else:
        caller.require_role(*ADMIN_ROLES)
        community_id = access.community_for(caller, data.community_id)
        access.require_own(caller, community_id)
        if not data.merchant_id:
            raise InvalidInput("name the merchant", {"merchant_id": "required"})
        merchant_id = data.merchant_id
    if not partnered(community_id, merchant_id):
        raise NotFound("no such partner merchant here", {"merchant_id": "not a partner"})
    now = time.time()
    oid = (domain.keyed_id("of", caller.user_id, caller.idempotency_key)
           if caller.idempotency_key else domain.keyed_id("of", caller.user_id, str(now),
                                                          domain.new_code()))
    offer = Offer(id=oid, community_id=community_id, merchant_id=merchant_id, title=data.title,
                  description=data.description, price=data.price, stock=data.stock,
                  valid_from_ts=data.valid_from.timestamp(),
                  valid_until_ts=data.valid_until.timestamp(),
                  per_resident_limit=data.per_resident_limit, created_ts=now,
                  page_key=page_key(community_id, now, oid),
                  merchant_key=page_key(f"{merchant_id}:{community_id}", now, oid))
    audit.record_on(offer, caller, "offer.create", "offer", oid, community_id=community_id,
                    after=audit.fields_of(offer, ("merchant_id", "title", "price", "stock",
                                                  "per_resident_limit")))
    try:
        offer.commit()
    except NotUniqueError:
        offer = Offer.objects.get(id=oid)
    return offer_view(offer)


def offer_view(o: Offer) -> OfferOut:
    return OfferOut(id=o.id, community_id=o.community_id, merchant_id=o.merchant_id,
                    title=o.title, description=o.description, price=o.price, stock=o.stock,
                    taken=o.taken, valid_from=_at(o.valid_from_ts),
                    valid_until=_at(o.valid_until_ts), per_resident_limit=o.per_resident_limit)


def offers(caller: Caller, community_id: str, query: PageQuery) -> OfferPage:
    """A community's offers, newest first; a merchant sees its own there."""
    if caller.role is Role.merchant:
        if not partnered(community_id, caller.merchant_id or ""):
            raise NotFound("no such community", {"community_id": "unknown"})
        docs, cursor = fetch(Offer.objects, "merchant_key",
                             f"{caller.merchant_id}:{community_id}", query)
    else:
        access.require_sees(caller, community_id)
        docs, cursor = fetch(Offer.objects, "page_key", community_id, query)
    return OfferPage(items=[offer_view(d) for d in docs], next_cursor=cursor)


def update_offer(caller: Caller, offer_id: str, data: OfferUpdate) -> OfferOut:
    """The offer's merchant, or its community's admin, changes it in one version-conditioned
    write with its audit event; the stock only from what they saw (`stock_was`)."""
    wanted = {"title": data.title, "description": data.description, "price": data.price,
              "valid_until_ts": data.valid_until.timestamp() if data.valid_until else None,
              "per_resident_limit": data.per_resident_limit, "stock": data.stock}
    wanted = {k: v for k, v in wanted.items() if v is not None}

    # Offers stored before they were aggregates carry no version: the frame's guard.
    Offer._get_collection().update_one({"_id": str(offer_id), "version": {"$exists": False}},
                                       {"$set": {"version": 0}})

    def decide(offer: Offer, _at: object) -> Decision | None:
        # Not "already at the new stock, so a retry": a reservation can make it so too.
        if "stock" in wanted and offer.stock != data.stock_was:
            raise Conflict("the stock moved since it was read",
                           {"stock_was": f"the stock is {offer.stock} now"})
        if wanted.get("valid_until_ts", offer.valid_until_ts) <= offer.valid_from_ts:
            raise InvalidInput("the offer would end before it starts",
                               {"valid_until": "must be after valid_from"})
        changed = {k: v for k, v in wanted.items() if getattr(offer, k) != v}
        return audit.attach(Decision(changes=changed), caller, offer, "offer.update", "offer",
                            community_id=offer.community_id) if changed else None

    # reservations move the stock beside the version: the write holds only if it did not
    done = change(lambda: _editable(caller, offer_id), decide, caller,
                  hold=(lambda o: {"stock": o.stock}) if "stock" in wanted else None)
    return offer_view(done.doc)


def _editable(caller: Caller, offer_id: str) -> Offer:
    """The offer, if the caller is its merchant or its community's own admin (else the 404
    of a missing one)."""
    offer = Offer.objects(id=str(offer_id)).first()
    if offer is None:
        raise NotFound("no such offer", {"offer_id": "unknown"})
    if caller.role is Role.merchant:
        if offer.merchant_id != caller.merchant_id:
            raise NotFound("no such offer", {"offer_id": "unknown"})
    else:  # the community's own admin (the RPC lets no other role here)
        try:
            access.require_own(caller, offer.community_id)
        except NotFound:
            raise NotFound("no such offer", {"offer_id": "unknown"}) from None
    return offer


def get_offer(caller: Caller, offer_id: str) -> OfferOut:
    offer = Offer.objects(id=offer_id).first()
    if offer is None:
        raise NotFound("no such offer", {"offer_id": "unknown"})
    if caller.role is Role.merchant:
        if offer.merchant_id != caller.merchant_id:
            raise NotFound("no such offer", {"offer_id": "unknown"})
    else:
        try:
            access.require_sees(caller, offer.community_id)
        except NotFound:
            raise NotFound("no such offer", {"offer_id": "unknown"}) from None
    return offer_view(offer)
