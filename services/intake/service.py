"""Intake service (接诉即办): issues from every channel, triage, duplicates, lifecycle, 公示."""

from __future__ import annotations

import logging

from nameko.rpc import rpc
from nameko.timer import timer

from services.common.caller import Caller, Role
from services.common.contracts.intake import (
    OPEN_STATES,
    CategoryDef,
    CategoryState,
    DuplicateSuggestion,
    IssueIn,
    IssueOut,
    IssueQuery,
    MergeIn,
    NoteIn,
    RejectIn,
    ReopenIn,
    TimelineEntryOut,
    TriageIn,
)
from services.common.errors import InvalidInput, NotFound
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.paging import DEFAULT_PAGE, MAX_PAGE, Page, PageQuery
from services.common.rpc import TimedRpcProxy, as_caller, dump, parse, replies
from services.common.store import Store
from services.intake import (
    access,
    actions,
    categories,
    grids,
    listing,
    metrics,
    repository,
    submission,
    views,
)
from services.intake.account_names import ACCOUNTS, AccountNames
from services.intake.account_names import entry_of as account_names_entry
from services.intake.audit import RevealAudit
from services.intake.consumers import IntakeConsumers
from services.intake.models import DOCUMENTS, Category, Issue
from services.intake.rpc_public import PhotosAndPublication

log = logging.getLogger(__name__)
BACKFILL_SECONDS = 5  # once done, a tick is one read by _id


class IntakeService(IntakeConsumers, PhotosAndPublication):
    name = "intake"
    store = Store("intake", [*DOCUMENTS, RevealAudit])  # a reveal's audit event: relayed
    relay = OutboxRelay()
    instrumentation = Instrumentation()
    grid_locator = grids.GridReadModel()
    account_names = AccountNames()
    # Both give up after LINLI_RPC_TIMEOUT_SECONDS. identity: a community's first use only
    # (then CommunityRef); dispatch: only off the request path, the grid backfill.
    identity = TimedRpcProxy("identity")
    dispatch = TimedRpcProxy("dispatch")

    # --- catalogue ----------------------------------------------------------------------

    @rpc
    @replies(Page[CategoryDef])
    def list_categories(self, caller: dict | None, community_id: str,
                        query: dict | None = None) -> dict:
        """The community's catalogue by group and code, a keyset page (public: Open311
        services.json needs no key); the default page (100) holds a usual catalogue whole."""
        self._community(community_id)
        page = parse(PageQuery, {"limit": MAX_PAGE, **(query or {})})
        items, cursor = repository.catalogue_page(community_id, page)
        return dump(Page[CategoryDef](items=items, next_cursor=cursor))

    @rpc
    @replies(CategoryDef)
    def get_category(self, caller: dict | None, community_id: str, code: str) -> dict:
        """One category's definition."""
        self._community(community_id)
        try:
            return dump(repository.category(community_id, code))
        except InvalidInput as exc:
            raise NotFound("no such category", {"code": "unknown"}) from exc

    @rpc
    @replies(CategoryDef)
    def save_category(self, caller: dict, community_id: str, data: dict) -> dict:
        """Add or change a category of the community's catalogue (community admin)."""
        who = as_caller(caller)
        definition = parse(CategoryDef, data)
        community = self._community(community_id)
        access.require_admin(who, views.community_scope(community))
        categories.save(who, community.id, definition)
        return dump(definition)

    @rpc
    @replies(CategoryState)
    def remove_category(self, caller: dict, community_id: str, code: str) -> dict:
        """Take a category out of the community's catalogue (community admin); issues filed
        under it keep it, new issues and orders may no longer name it."""
        who = as_caller(caller)
        community = self._community(community_id)
        access.require_admin(who, views.community_scope(community))
        categories.remove(who, community.id, code)
        entry = Category.objects.get(id=f"{community.id}:{code}")
        return {"community_id": community.id, "code": code, "removed": True,
                "name": entry.definition.get("name", code), "version": entry.version}

    @rpc
    @replies(Page[CategoryState])
    def category_states(self, caller: dict, query: dict | None = None) -> dict:
        """Every catalogue entry's state, a page at a time (system: a read model's backfill)."""
        as_caller(caller).require_role(Role.system)
        return dump(categories.states_page(parse(PageQuery, query or {})))

    # --- issues -------------------------------------------------------------------------

    @rpc
    @replies(IssueOut)
    def submit_issue(self, caller: dict, data: dict) -> dict:
        """File an issue from any channel; returns it with suggested duplicates."""
        who = as_caller(caller)
        issue_in = parse(IssueIn, data)
        community = self._community(issue_in.community_id)
        issue, suggestions = submission.submit(who, issue_in, community, self.grid_locator)
        return views.issue_out(issue, who, suggestions=suggestions)

    @rpc
    @replies(IssueOut)
    def get_issue(self, caller: dict, issue_id: str) -> dict:
        """One issue, for its reporter and the community's staff."""
        who = as_caller(caller)
        issue = self._readable(who, issue_id)
        original = Issue.objects(id=issue.duplicate_of).first() if issue.duplicate_of else None
        return views.issue_out(issue, who, original=original)

    @rpc
    @replies(Page[IssueOut])
    def list_issues(self, caller: dict, community_id: str | None = None,
                    state: str | None = None, category: str | None = None,
                    limit: int = DEFAULT_PAGE, cursor: str | None = None) -> dict:
        """A page of issues: staff a community's (or one state's), a street or district
        admin their street's or district's, everyone else the issues they reported."""
        who = as_caller(caller)
        query = parse(IssueQuery, {"community_id": community_id, "state": state,
                                   "category": category, "limit": limit, "cursor": cursor})
        community_id = query.community_id or who.community_id  # staff default to their own
        community = self._community(community_id) if community_id else None
        field, scope = listing.issue_listing(who, query, community)
        found, next_cursor = listing.issues(field, scope, query)
        return {"items": [views.issue_out(i, who) for i in found], "next_cursor": next_cursor}

    @rpc
    @replies(Page[TimelineEntryOut])
    def get_timeline(self, caller: dict, issue_id: str, limit: int = DEFAULT_PAGE,
                     cursor: str | None = None) -> dict:
        """Who did what when, oldest first; a merged issue's reporter also sees the
        original's steps since the merge."""
        who = as_caller(caller)
        issue = self._readable(who, issue_id)
        query = parse(PageQuery, {"limit": limit, "cursor": cursor})
        original = repository.issue(issue.duplicate_of) if issue.duplicate_of else None
        entries, next_cursor = listing.merged_timeline(issue, original, query)
        return {"items": views.timeline_out(issue, entries, who, original),
                "next_cursor": next_cursor}

    @rpc
    @replies(Page[DuplicateSuggestion])
    def duplicate_candidates(self, caller: dict, issue_id: str) -> dict:
        """Open issues of the same category nearby (for the admin deciding a merge): one
        page of at most 10, nearest first."""
        who = as_caller(caller)
        issue = self._readable(who, issue_id)
        access.require_admin(who, views.scope_of(issue))
        category = repository.category(issue.community_id, issue.category)
        found = repository.duplicate_suggestions(issue.community_id, category, issue.lat,
                                                 issue.lng, issue.created_at, exclude=issue.id)
        return {"items": [dump(s) for s in found], "next_cursor": None}

    @rpc
    @replies(IssueOut)
    def triage_issue(self, caller: dict, issue_id: str, data: dict) -> dict:
        """Confirm or override (with a reason) the category's triage."""
        return self._act(caller, issue_id, actions.triage, TriageIn, data)

    @rpc
    @replies(IssueOut)
    def reject_issue(self, caller: dict, issue_id: str, data: dict) -> dict:
        """Reject (not responsible / invalid), or the reporter withdraws."""
        return self._act(caller, issue_id, actions.reject, RejectIn, data)

    @rpc
    @replies(IssueOut)
    def resolve_issue(self, caller: dict, issue_id: str, data: dict) -> dict:
        """The community resolves it (guidance for a private matter, or work done)."""
        return self._act(caller, issue_id, actions.resolve, NoteIn, data)

    @rpc
    @replies(IssueOut)
    def close_issue(self, caller: dict, issue_id: str, data: dict) -> dict:
        """Close a resolved or rated issue."""
        return self._act(caller, issue_id, actions.close, NoteIn, data)

    @rpc
    @replies(IssueOut)
    def reopen_issue(self, caller: dict, issue_id: str, data: dict) -> dict:
        """The reporter is not satisfied: back to work."""
        return self._act(caller, issue_id, actions.reopen, ReopenIn, data)

    @rpc
    @replies(IssueOut)
    def merge_issue(self, caller: dict, issue_id: str, data: dict) -> dict:
        """Merge a duplicate into its original (群体诉)."""
        return self._act(caller, issue_id, actions.merge, MergeIn, data)

    # --- housekeeping -------------------------------------------------------------------

    @timer(interval=15)
    def refresh_open_issues(self) -> None:
        """Set the open-issues-by-state gauge from the counters (one read: replicas agree)."""
        counts = repository.counts()
        for state in OPEN_STATES:
            metrics.OPEN_ISSUES.labels(state.value).set(counts.get(state.value, 0))

    @timer(interval=BACKFILL_SECONDS)  # not eager: RPC replies are not consumed yet at start
    def backfill_grids(self) -> None:
        """Copy the grids dispatch made before intake listened (once; retried while it is down)."""
        try:
            grids.backfill(lambda q: self.dispatch.grid_states(dump(Caller.system()), q))
        except Exception as exc:  # dispatch down (Unavailable) or older: the next tick
            log.warning("grid backfill not done yet: %r", exc)

    @timer(interval=BACKFILL_SECONDS)
    def backfill_account_names(self) -> None:
        """Copy the account names identity had before intake listened (once; retried)."""
        try:
            ACCOUNTS.backfill(lambda q: self.identity.account_names(dump(Caller.system()), q),
                              account_names_entry)
        except Exception as exc:  # identity down (Unavailable) or older: the next tick
            log.warning("account name backfill not done yet: %r", exc)

    def _community(self, community_id: str):
        return repository.community(
            community_id, lambda cid: self.identity.get_community(dump(Caller.system()), cid))

    def _readable(self, who: Caller, issue_id: str) -> Issue:
        issue = repository.issue(issue_id)
        access.require_read(who, views.scope_of(issue), issue.reporter_id, issue.submitted_by)
        return issue

    def _act(self, caller: dict, issue_id: str, action, model, data: dict) -> dict:
        who = as_caller(caller)
        issue = action(who, issue_id, parse(model, data))
        return views.issue_out(issue, who)

