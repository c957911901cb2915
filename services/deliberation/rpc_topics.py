"""Topic entrypoints (议题清单): propose, support, pick, the list (urgent first), categories."""

from __future__ import annotations

import time

from nameko.rpc import rpc
from pydantic import BaseModel

from services.common.caller import Caller, Role
from services.common.contracts.deliberation import (
    CategoryIn,
    CategoryOut,
    CommentIn,
    CommentOut,
    CommentPage,
    TopicIn,
    TopicOut,
    TopicPage,
    TopicSource,
    TopicState,
)
from services.common.contracts.types import Code
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.paging import PageQuery, fetch, page_key
from services.common.rpc import as_caller, parse, replies
from services.deliberation import access, categories, grids, topics, views
from services.deliberation.domain import topics as rules
from services.deliberation.models import Topic, TopicComment, new_id

PROPOSERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker,
             Role.community_admin)
SUPPORTERS = (Role.resident, Role.volunteer, Role.operator, Role.grid_worker)
ADMINS = (Role.community_admin,)


def find(who: Caller, topic_id: str) -> Topic:
    """The topic if the caller may see it; another tenant's is the same 404 as none."""
    doc = access.found(who, Topic.objects(id=str(topic_id)).first(), "topic", "topic_id")
    if who.role in (Role.merchant, Role.department, Role.ops):
        raise NotFound("no such topic", {"topic_id": "unknown"})
    return doc


class TopicEntrypoints:
    @rpc
    @replies(list[CategoryOut])
    def topic_categories(self, caller: dict, community_id: str | None = None) -> list[CategoryOut]:
        """The community's categories (seeded with the seven colours, 七色花开), their themes
        and the parties each brings to the fixed "4"."""
        who = as_caller(caller)
        place = access.reader_home(who, community_id)
        return [_category(r) for r in categories.rows(place)]

    @rpc
    @replies(list[CategoryOut])
    def put_topic_category(self, caller: dict, key: str, data: dict) -> list[CategoryOut]:
        """A community admin adds or changes one category of the community's set (or retires
        it: no new topic names it); the whole set comes back."""
        who = as_caller(caller)
        who.require_role(*ADMINS)
        key = parse(CategoryKey, {"key": key}).key
        spec = parse(CategoryIn, data)
        place = access.home(who, spec.community_id)
        return [_category(r) for r in categories.put(who, place.community_id, key, spec)]

    @rpc
    @replies(TopicOut)
    def propose_topic(self, caller: dict, data: dict) -> TopicOut:
        """居民提案: a resident's proposal gathers supporters; an admin's goes on the list."""
        who = as_caller(caller)
        who.require_role(*PROPOSERS)
        spec = parse(TopicIn, data)
        place = access.home(who, spec.community_id)
        source = TopicSource.admin if who.role in (Role.community_admin, Role.system) \
            else TopicSource.proposal
        if spec.grid_id is not None:  # the grid joint meeting's topic: an admin enters it
            if source is not TopicSource.admin:
                raise Forbidden("an admin enters the grid joint meeting's topics",
                                {"source": "community admins only"})
            grids.check(place.community_id, spec.grid_id)
            source = TopicSource.grid_meeting
        done = topics.create(who, place, title=spec.title, detail=spec.detail,
                             category=spec.category, urgent=spec.urgent, source=source,
                             now=time.time(), proposer_id=who.user_id, kind=spec.kind,
                             text=spec.text, grid_id=spec.grid_id,
                             renewal=spec.renewal.model_dump(mode="json") if spec.renewal
                             else None)
        return views.topic(done.doc)

    @rpc
    @replies(TopicOut)
    def support_topic(self, caller: dict, topic_id: str) -> TopicOut:
        """Support a proposal (once per person): listed when it reaches its threshold."""
        who = as_caller(caller)
        who.require_role(*SUPPORTERS)
        doc = find(who, topic_id)
        done = topics.update(who, doc.id, lambda t: rules.support(t, who.user_id))
        return views.topic(done.doc)

    @rpc
    @replies(TopicOut)
    def pick_topic(self, caller: dict, topic_id: str) -> TopicOut:
        """An admin of the topic's community lists a proposal before its threshold."""
        who = as_caller(caller)
        who.require_role(*ADMINS)
        doc = find(who, topic_id)
        if not access.is_admin_of(who, doc):
            raise NotFound("no such topic", {"topic_id": "unknown"})
        return views.topic(topics.update(who, doc.id, rules.pick, "pick").doc)

    @rpc
    @replies(TopicOut)
    def get_topic(self, caller: dict, topic_id: str) -> TopicOut:
        who = as_caller(caller)
        return views.topic(find(who, topic_id))

    @rpc
    @replies(TopicPage)
    def topic_list(self, caller: dict, community_id: str | None = None,
                   proposals: bool = False, limit: int | None = None,
                   cursor: str | None = None) -> dict:
        """议题清单: listed and scheduled topics, urgent first then newest; or (`proposals`)
        those still gathering supporters."""
        who = as_caller(caller)
        place = access.reader_home(who, community_id)
        field, scope = ("proposed_key", f"c:{place}:proposed") if proposals else (
            "list_key", f"c:{place}:list")
        docs, nxt = fetch(Topic.objects, field, scope, PageQuery.of(limit, cursor))
        return views.page(docs, nxt, views.topic)

    @rpc
    @replies(TopicPage)
    def list_conventions(self, caller: dict, community_id: str | None = None,
                         limit: int | None = None, cursor: str | None = None) -> dict:
        """居民公约: the community's conventions in force (voted and published), newest first,
        each with its text."""
        who = as_caller(caller)
        place = access.reader_home(who, community_id)
        docs, nxt = fetch(Topic.objects, "convention_key", f"c:{place}:conventions",
                          PageQuery.of(limit, cursor))
        return views.page(docs, nxt, views.topic)

    @rpc
    @replies(CommentOut)
    def comment_topic(self, caller: dict, topic_id: str, data: dict) -> CommentOut:
        """A comment on a listed topic, before its meeting (the community's own people)."""
        who = as_caller(caller)
        who.require_role(*PROPOSERS)
        spec = parse(CommentIn, data)
        doc = find(who, topic_id)
        if doc.state not in (TopicState.listed, TopicState.scheduled):
            raise Conflict("the topic is not open for comment", {"topic_id": doc.state})
        now, comment_id = time.time(), new_id("tc")
        comment = TopicComment(id=comment_id, topic_id=doc.id, community_id=doc.community_id,
                               author_id=who.user_id, text=spec.text, created_ts=now,
                               page_key=page_key(f"t:{doc.id}", now, comment_id))
        comment.save(force_insert=True)
        return _comment(comment)

    @rpc
    @replies(CommentPage)
    def topic_comments(self, caller: dict, topic_id: str, limit: int | None = None,
                       cursor: str | None = None) -> dict:
        """A topic's comments, newest first."""
        who = as_caller(caller)
        doc = find(who, topic_id)
        docs, nxt = fetch(TopicComment.objects, "page_key", f"t:{doc.id}",
                          PageQuery.of(limit, cursor))
        return views.page(docs, nxt, _comment)


class CategoryKey(BaseModel):
    key: Code


def _category(row: dict) -> CategoryOut:
    return CategoryOut(colour=row["key"], name=row["name"], theme=row.get("theme", ""),
                       parties=rules.parties_of(row), retired=bool(row.get("retired")))


def _comment(doc: TopicComment) -> CommentOut:
    return CommentOut(**{n: getattr(doc, n) for n in CommentOut.model_fields})
