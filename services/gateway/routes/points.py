"""Points (积分): balances and statements, rules and awards, partner merchants and offers,
redemption at the counter (兑换), settlement, the published ranking, ledger verification."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import PlainTextResponse

from services.common.caller import ADMIN_ROLES, Role
from services.common.contracts.points import (
    AwardIn,
    AwardOut,
    BalanceOut,
    CodeCheckOut,
    ConfirmIn,
    EarnKind,
    MerchantIn,
    MerchantOut,
    OfferIn,
    OfferOut,
    OfferPage,
    OfferUpdate,
    PostingPage,
    PublicationIn,
    RankingOut,
    RedemptionIn,
    RedemptionOut,
    RedemptionPage,
    RuleIn,
    RuleOut,
    SettlementOut,
    VerifyReport,
)
from services.common.paging import DEFAULT_PAGE, MAX_PAGE, Page
from services.gateway.deps import (
    CallerDep,
    PathId,
    QueryId,
    RequiredQueryId,
    RpcDep,
    caller_args,
    require,
)

router = APIRouter(prefix="/points", tags=["points"])

EARNERS = (Role.resident, Role.volunteer, Role.operator)
ADMINS = tuple(ADMIN_ROLES)
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]


@router.get("/balance", response_model=BalanceOut)
def get_balance(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                user_id: QueryId = None) -> dict:
    """Points by state (active, locked, spent, expired): one's own; admins: a resident's."""
    require(caller, *EARNERS, *ADMINS)
    return rpc.call("points", "get_balance", caller_args(caller), community_id, user_id)


@router.get("/statement", response_model=PostingPage)
def get_statement(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                  user_id: QueryId = None, limit: Limit = DEFAULT_PAGE,
                  cursor: Cursor = None) -> dict:
    """One's own postings, newest first (admins: a resident's in their scope)."""
    require(caller, *EARNERS, *ADMINS)
    return rpc.call("points", "get_statement", caller_args(caller), community_id, user_id,
                    limit, cursor)


@router.get("/ledger", response_model=PostingPage)
def list_ledger(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> dict:
    """The community's ledger, newest first (admins of its scope, read only above it)."""
    require(caller, *ADMINS)
    return rpc.call("points", "list_ledger", caller_args(caller), community_id, limit, cursor)


@router.get("/verify", response_model=VerifyReport)
def verify_ledger(community_id: RequiredQueryId, caller: CallerDep, rpc: RpcDep,
                  limit: Limit = MAX_PAGE, cursor: Cursor = None) -> dict:
    """One page of the ledger's verification: balances = Σ postings, books sum to zero."""
    require(caller, *ADMINS, Role.ops)
    return rpc.call("points", "verify_ledger", caller_args(caller), community_id, cursor,
                    limit)


@router.get("/rules", response_model=list[RuleOut])
def list_rules(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None) -> list[dict]:
    """The community's earning rules (event type → points, caps per person)."""
    require(caller, *EARNERS, *ADMINS)
    return rpc.call("points", "list_rules", caller_args(caller), community_id)


@router.put("/rules/{kind}", response_model=RuleOut)
def set_rule(kind: EarnKind, body: RuleIn, community_id: RequiredQueryId, caller: CallerDep,
             rpc: RpcDep) -> dict:
    """Set an earning rule (the community's admin)."""
    require(caller, Role.community_admin)
    return rpc.call("points", "set_rule", caller_args(caller), community_id, kind.value,
                    body.model_dump(mode="json"))


@router.post("/awards", status_code=status.HTTP_201_CREATED, response_model=AwardOut)
def make_award(body: AwardIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """A manual award; above the community's threshold a second admin approves it."""
    require(caller, Role.community_admin)
    return rpc.call("points", "make_award", caller_args(caller), body.model_dump(mode="json"))


@router.post("/awards/{award_id}/approve", response_model=AwardOut)
def approve_award(award_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """The checker: another admin of the community approves; then it is posted."""
    require(caller, Role.community_admin)
    return rpc.call("points", "approve_award", caller_args(caller), award_id)


@router.post("/merchants", status_code=status.HTTP_201_CREATED, response_model=MerchantOut)
def onboard_merchant(body: MerchantIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Make a merchant a partner of the community (社区合伙人), with its cooperation modes."""
    require(caller, Role.community_admin)
    return rpc.call("points", "onboard_merchant", caller_args(caller),
                    body.model_dump(mode="json"))


@router.get("/merchants", response_model=Page[MerchantOut])
def list_merchants(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                   limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> dict:
    """The community's partner merchants."""
    require(caller, *EARNERS, *ADMINS)
    return rpc.call("points", "list_merchants", caller_args(caller), community_id, limit,
                    cursor)


@router.post("/offers", status_code=status.HTTP_201_CREATED, response_model=OfferOut)
def create_offer(body: OfferIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """An offer: points price, stock, validity, per-resident limit."""
    require(caller, Role.merchant, Role.community_admin)
    return rpc.call("points", "create_offer", caller_args(caller), body.model_dump(mode="json"))


@router.get("/offers", response_model=OfferPage)
def list_offers(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> dict:
    """The community's offers, newest first (a merchant: its own there)."""
    require(caller, *EARNERS, *ADMINS, Role.merchant)
    return rpc.call("points", "list_offers", caller_args(caller), community_id, limit, cursor)


@router.get("/offers/{offer_id}", response_model=OfferOut)
def get_offer(offer_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """One offer."""
    require(caller, *EARNERS, *ADMINS, Role.merchant)
    return rpc.call("points", "get_offer", caller_args(caller), offer_id)


@router.patch("/offers/{offer_id}", response_model=OfferOut)
def update_offer(offer_id: PathId, body: OfferUpdate, caller: CallerDep, rpc: RpcDep) -> dict:
    """Change an offer (its merchant or its community's admin): text, price, end, limit, and
    the stock from what was seen (`stock_was`; a reservation meanwhile is a 409)."""
    require(caller, Role.merchant, Role.community_admin)
    return rpc.call("points", "update_offer", caller_args(caller), offer_id,
                    body.model_dump(mode="json", exclude_unset=True))


@router.post("/redemptions", status_code=status.HTTP_201_CREATED, response_model=RedemptionOut)
def request_redemption(body: RedemptionIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """兑换: the price is locked, a unit reserved; the answer carries the one-time code."""
    require(caller, *EARNERS)
    return rpc.call("points", "request_redemption", caller_args(caller),
                    body.model_dump(mode="json"))


@router.post("/redemptions/confirm", response_model=RedemptionOut)
def confirm_redemption(body: ConfirmIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """At the counter: the offer's merchant confirms the code, once, before it expires."""
    require(caller, Role.merchant)
    return rpc.call("points", "confirm_redemption", caller_args(caller),
                    body.model_dump(mode="json"))


@router.post("/redemptions/check", response_model=CodeCheckOut)
def check_code(body: ConfirmIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """At the counter, before confirming: what the code is for and whether it would be
    confirmed now (the offer's merchant; a POST, so the code stays out of URLs and logs)."""
    require(caller, Role.merchant)
    return rpc.call("points", "check_code", caller_args(caller), body.model_dump(mode="json"))


@router.get("/redemptions", response_model=RedemptionPage)
def list_redemptions(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                     limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> dict:
    """One's own redemptions; a merchant's in a community; newest first."""
    require(caller, *EARNERS, Role.merchant)
    return rpc.call("points", "list_redemptions", caller_args(caller), community_id, limit,
                    cursor)


@router.get("/redemptions/{redemption_id}", response_model=RedemptionOut)
def get_redemption(redemption_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """One redemption (its resident sees the code)."""
    require(caller, *EARNERS, *ADMINS, Role.merchant)
    return rpc.call("points", "get_redemption", caller_args(caller), redemption_id)


@router.get("/redemptions/{redemption_id}/qr.{fmt}", response_class=Response)
def redemption_qr(redemption_id: PathId, fmt: Literal["svg", "png"], caller: CallerDep,
                  rpc: RpcDep) -> Response:
    """The code as a QR image, for the counter's scanner (its resident only)."""
    require(caller, *EARNERS)
    image = rpc.call("points", "redemption_qr", caller_args(caller), redemption_id, fmt)
    return Response(base64.b64decode(image["data"]), media_type=image["content_type"],
                    headers={"Cache-Control": "private, no-store"})


@router.post("/redemptions/{redemption_id}/cancel", response_model=RedemptionOut)
def cancel_redemption(redemption_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Give an issued redemption up: points and stock go back."""
    require(caller, *EARNERS)
    return rpc.call("points", "cancel_redemption", caller_args(caller), redemption_id)


def _period(merchant_id: str | None, community_id: str | None, start: datetime,
            end: datetime) -> dict:
    return {"merchant_id": merchant_id, "community_id": community_id,
            "start": start.isoformat(), "end": end.isoformat()}


@router.get("/settlement", response_model=SettlementOut)
def settlement(start: datetime, end: datetime, caller: CallerDep, rpc: RpcDep,
               merchant_id: QueryId = None, community_id: QueryId = None) -> dict:
    """A merchant's confirmed redemptions over a period (itself; admins of its scope)."""
    require(caller, Role.merchant, *ADMINS)
    return rpc.call("points", "settlement", caller_args(caller),
                    _period(merchant_id, community_id, start, end))


@router.get("/settlement.csv", response_class=PlainTextResponse)
def settlement_csv(start: datetime, end: datetime, caller: CallerDep, rpc: RpcDep,
                   merchant_id: QueryId = None, community_id: QueryId = None
                   ) -> PlainTextResponse:
    """The same statement as a CSV download."""
    require(caller, Role.merchant, *ADMINS)
    text = rpc.call("points", "settlement_csv", caller_args(caller),
                    _period(merchant_id, community_id, start, end))
    return PlainTextResponse(text, media_type="text/csv", headers={
        "Content-Disposition": 'attachment; filename="settlement.csv"'})


@router.put("/publication", response_model=BalanceOut)
def set_publication(body: PublicationIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """How one appears in the published ranking: full name, initial, or anonymous."""
    require(caller, *EARNERS)
    return rpc.call("points", "set_publication", caller_args(caller),
                    body.model_dump(mode="json"))


@router.get("/ranking", response_model=RankingOut)
def get_ranking(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None) -> dict:
    """The community's points ranking (公示), names masked as each resident chose."""
    require(caller, *EARNERS, *ADMINS)
    return rpc.call("points", "get_ranking", caller_args(caller), community_id)
