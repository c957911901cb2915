"""Photos (GridFS, EXIF-stripped public copies), 公示, and the district's audited reveal of
an anonymous reporter: entrypoints mixed into IntakeService."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import mongoengine as me
from nameko.rpc import rpc

from services.common.contracts.intake import (
    IssueOut,
    PhotoOut,
    PublicIssue,
    PublicQuery,
    ReporterIdentity,
    RevealIn,
)
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.paging import Page
from services.common.rpc import as_caller, dump, parse, replies
from services.common.store import retry_on_stale
from services.intake import audit, photos, repository, views
from services.intake.models import Issue
from services.intake.publication import published


class PhotosAndPublication:
    """Needs the service's `store`, `_readable` and `_community`."""

    store: Any

    # --- photos -------------------------------------------------------------------------

    @rpc
    @replies(IssueOut)
    def add_photo(self, caller: dict, issue_id: str, data_b64: str) -> dict:
        """Attach a photo (the reporter, the submitter or staff); returns the issue."""
        who = as_caller(caller)
        issue = self._readable(who, issue_id)
        _check_room(issue)
        try:
            data = base64.b64decode(data_b64, validate=True)
        except (binascii.Error, TypeError):
            raise InvalidInput("the photo is not base64", {"file": "not base64"}) from None
        fmt = photos.check_image(data, self.store.settings.max_photo_bytes)
        photo_id = photos.store(me.get_db("intake"), issue.id, data, fmt)

        def attach() -> Issue:
            fresh = repository.issue(issue.id)
            _check_room(fresh)  # a concurrent upload may have taken the last place
            fresh.photos = [*(fresh.photos or []), photo_id]
            fresh.commit()
            return fresh

        return views.issue_out(retry_on_stale(attach), who)

    @rpc
    @replies(PhotoOut)
    def get_photo(self, caller: dict, issue_id: str, photo_id: str) -> dict:
        """The original photo, for those who may read the issue."""
        who = as_caller(caller)
        issue = self._readable(who, issue_id)
        if photo_id not in (issue.photos or []):
            raise NotFound("no such photo", {"photo_id": "unknown"})
        data, content_type = photos.load(me.get_db("intake"), issue.id, photo_id, public=False)
        return {"content_type": content_type, "data": base64.b64encode(data).decode()}

    # --- publication (公示) ---------------------------------------------------------------

    @rpc
    @replies(Page[PublicIssue])
    def public_issues(self, caller: dict | None, community_id: str, query: dict) -> dict:
        """The anonymised list for anyone (公示), a keyset page; filters as Open311's GET
        requests (a page may be short: follow `next_cursor`)."""
        self._community(community_id)
        accounts = self.account_names.index(community_id)
        items, cursor = published(community_id, parse(PublicQuery, query), accounts)
        return dump(Page[PublicIssue](items=items, next_cursor=cursor))

    @rpc
    @replies(PhotoOut)
    def public_photo(self, caller: dict | None, community_id: str, issue_id: str,
                     photo_id: str) -> dict:
        """A published issue's photo, re-encoded without EXIF."""
        found, _ = published(community_id, PublicQuery(ids=[issue_id]),
                             self.account_names.index(community_id))
        if not found or photo_id not in found[0].photos:
            raise NotFound("no such photo", {"photo_id": "unknown"})
        data, content_type = photos.load(me.get_db("intake"), issue_id, photo_id, public=True)
        return {"content_type": content_type, "data": base64.b64encode(data).decode()}


    # --- abuse handling --------------------------------------------------------------------

    @rpc
    @replies(ReporterIdentity)
    def reveal_reporter(self, caller: dict, issue_id: str, data: dict) -> dict:
        """Who filed the issue, for its district admin handling abuse; audited first."""
        who = as_caller(caller)
        reason = parse(RevealIn, data)
        return dump(audit.reveal(who, self._readable(who, issue_id), reason))


def _check_room(issue: Issue) -> None:
    if len(issue.photos or []) >= photos.MAX_PER_ISSUE:
        raise Conflict("this issue has all the photos it may have",
                       {"file": f"at most {photos.MAX_PER_ISSUE} photos per issue"})
