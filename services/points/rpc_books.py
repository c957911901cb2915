"""Entrypoints of the books: balances, statements, the ledger, verify, rules, awards,
merchants, offers, settlement, publication. Each checks role and community itself."""

from __future__ import annotations

from nameko.rpc import rpc

from services.common.caller import ADMIN_ROLES, Caller, Role
from services.common.contracts.points import (
    AccountKind,
    AwardIn,
    AwardOut,
    BalanceOut,
    MerchantIn,
    MerchantOut,
    OfferIn,
    OfferOut,
    OfferPage,
    OfferUpdate,
    PostingPage,
    PublicationIn,
    RankingOut,
    RuleIn,
    RuleKindIn,
    RuleOut,
    SettlementOut,
    SettlementQuery,
    VerifyReport,
)
from services.common.errors import NotFound
from services.common.paging import Page, PageQuery
from services.common.rpc import as_caller, parse, replies
from services.points import access, books, earning, ledger, merchants, verify

EARNERS = (Role.resident, Role.volunteer, Role.operator)
READERS = (*ADMIN_ROLES,)



def _whose(who: Caller, community_id: str | None, user_id: str | None) -> tuple[str, str]:
    """(community, user) of an account the caller may read: their own, or (admins) anyone's
    in a community they see."""
    if who.role in EARNERS and (user_id is None or user_id == who.user_id):
        return access.community_for(who, community_id), who.user_id
    who.require_role(*READERS)
    if user_id is None:
        raise NotFound("no such account", {"user_id": "required"})
    community_id = access.community_for(who, community_id)
    access.require_sees(who, community_id)
    return community_id, user_id


class BookEntrypoints:
    @rpc
    @replies(BalanceOut)
    def get_balance(self, caller: dict, community_id: str | None = None,
                    user_id: str | None = None) -> BalanceOut:
        """A resident's points: active, locked, spent, expired."""
        who = as_caller(caller)
        community_id, user_id = _whose(who, community_id, user_id)
        return books.balance(community_id, user_id)

    @rpc
    @replies(PostingPage)
    def get_statement(self, caller: dict, community_id: str | None = None,
                      user_id: str | None = None, limit: int | None = None,
                      cursor: str | None = None) -> PostingPage:
        """A resident's own postings, newest first (admins: anyone's in their scope)."""
        who = as_caller(caller)
        community_id, user_id = _whose(who, community_id, user_id)
        return books.statement(ledger.account_id(community_id, AccountKind.resident, user_id),
                               PageQuery.of(limit, cursor))

    @rpc
    @replies(PostingPage)
    def list_ledger(self, caller: dict, community_id: str | None = None,
                    limit: int | None = None, cursor: str | None = None) -> PostingPage:
        """The community's ledger, newest first (admins of its scope)."""
        who = as_caller(caller)
        who.require_role(*READERS)
        community_id = access.community_for(who, community_id)
        access.require_sees(who, community_id)
        return books.ledger_page(community_id, PageQuery.of(limit, cursor))

    @rpc
    @replies(VerifyReport)
    def verify_ledger(self, caller: dict, community_id: str, cursor: str | None = None,
                      limit: int | None = None) -> VerifyReport:
        """One bounded page of the community's verification (ops and admins)."""
        who = as_caller(caller)
        who.require_role(*READERS, Role.ops)
        access.remember(who)
        scope = access.scope_of(community_id)
        if scope is None or not who.sees_figures(scope):
            raise NotFound("no such community", {"community_id": "unknown"})
        query = PageQuery.of(limit, cursor)
        return verify.verify_page(community_id, query.cursor, query.limit)

    @rpc
    @replies(list[RuleOut])
    def list_rules(self, caller: dict, community_id: str | None = None) -> list[RuleOut]:
        """The community's earning rules."""
        who = as_caller(caller)
        return earning.rules(who, access.community_for(who, community_id))

    @rpc
    @replies(list[RuleOut])
    def ensure_rules(self, caller: dict, community_id: str) -> list[RuleOut]:
        """The seed's default rules for a community, keeping any it already has."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        access.require_own(who, community_id)
        earning.ensure_defaults(community_id)
        return earning.rules(Caller.system(), community_id)

    @rpc
    @replies(RuleOut)
    def set_rule(self, caller: dict, community_id: str, kind: str, data: dict) -> RuleOut:
        """Set one earning rule (the community's own admin)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        rule_kind = parse(RuleKindIn, {"kind": kind}).kind
        return earning.set_rule(who, community_id, rule_kind, parse(RuleIn, data))

    @rpc
    @replies(AwardOut)
    def make_award(self, caller: dict, data: dict) -> AwardOut:
        """A manual award; above the threshold it waits for a second admin (maker/checker)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        return earning.make_award(who, parse(AwardIn, data))

    @rpc
    @replies(AwardOut)
    def approve_award(self, caller: dict, award_id: str) -> AwardOut:
        """The checker's approval: another admin of the community; then it is posted."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        return earning.approve_award(who, award_id)

    @rpc
    @replies(MerchantOut)
    def onboard_merchant(self, caller: dict, data: dict) -> MerchantOut:
        """Make a merchant a partner of the admin's community (社区合伙人)."""
        who = as_caller(caller)
        who.require_role(Role.community_admin)
        return merchants.onboard(who, parse(MerchantIn, data))

    @rpc
    @replies(Page[MerchantOut])
    def list_merchants(self, caller: dict, community_id: str | None = None,
                       limit: int | None = None, cursor: str | None = None) -> Page[MerchantOut]:
        """The community's partner merchants."""
        who = as_caller(caller)
        return merchants.partners(who, access.community_for(who, community_id),
                                  PageQuery.of(limit, cursor))

    @rpc
    @replies(OfferOut)
    def create_offer(self, caller: dict, data: dict) -> OfferOut:
        """An offer: price, stock, validity, per-resident limit (merchant or its admin)."""
        who = as_caller(caller)
        who.require_role(Role.merchant, Role.community_admin)
        return merchants.create_offer(who, parse(OfferIn, data))

    @rpc
    @replies(OfferOut)
    def update_offer(self, caller: dict, offer_id: str, data: dict) -> OfferOut:
        """Change an offer: its text, price, end, per-resident limit, stock (compare-and-set)."""
        who = as_caller(caller)
        who.require_role(Role.merchant, Role.community_admin)
        return merchants.update_offer(who, offer_id, parse(OfferUpdate, data))

    @rpc
    @replies(OfferPage)
    def list_offers(self, caller: dict, community_id: str | None = None,
                    limit: int | None = None, cursor: str | None = None) -> OfferPage:
        """A community's offers, newest first (a merchant: its own there)."""
        who = as_caller(caller)
        return merchants.offers(who, access.community_for(who, community_id),
                                PageQuery.of(limit, cursor))

    @rpc
    @replies(OfferOut)
    def get_offer(self, caller: dict, offer_id: str) -> OfferOut:
        """One offer."""
        return merchants.get_offer(as_caller(caller), offer_id)

    @rpc
    @replies(SettlementOut)
    def settlement(self, caller: dict, data: dict) -> SettlementOut:
        """A merchant's confirmed redemptions over a period (itself; admins of its scope)."""
        return _settlement(as_caller(caller), parse(SettlementQuery, data))

    @rpc
    @replies(str)
    def settlement_csv(self, caller: dict, data: dict) -> str:
        """The same statement as CSV."""
        return books.settlement_csv(_settlement(as_caller(caller),
                                                parse(SettlementQuery, data)))

    @rpc
    @replies(BalanceOut)
    def set_publication(self, caller: dict, data: dict) -> BalanceOut:
        """How the resident appears in the published ranking (公示)."""
        who = as_caller(caller)
        who.require_role(*EARNERS)
        community_id = access.community_for(who, None)
        books.set_publication(community_id, who.user_id, parse(PublicationIn, data))
        return books.balance(community_id, who.user_id)

    @rpc
    @replies(RankingOut)
    def get_ranking(self, caller: dict, community_id: str | None = None) -> RankingOut:
        """The community's points ranking, names masked as each resident chose."""
        who = as_caller(caller)
        community_id = access.community_for(who, community_id)
        if who.role is Role.merchant or who.role is Role.ops:
            raise NotFound("no such community", {"community_id": "unknown"})
        access.require_sees(who, community_id)
        return books.ranking(community_id)


def _settlement(who: Caller, query: SettlementQuery) -> SettlementOut:
    if who.role is Role.merchant:
        merchant_id = who.merchant_id or ""
        if query.merchant_id not in (None, merchant_id):
            raise NotFound("no such merchant", {"merchant_id": "unknown"})
        community_id = access.community_for(who, query.community_id)
        if not merchants.partnered(community_id, merchant_id):
            raise NotFound("no such community", {"community_id": "unknown"})
    else:
        who.require_role(*READERS)
        community_id = access.community_for(who, query.community_id)
        access.require_sees(who, community_id)
        if not query.merchant_id:
            raise NotFound("no such merchant", {"merchant_id": "required"})
        merchant_id = query.merchant_id
    return books.settlement(merchant_id, community_id, query)
