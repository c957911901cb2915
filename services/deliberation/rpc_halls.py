"""Hall entrypoints (议事厅): create and list a community's halls (published to residents)."""

from __future__ import annotations

import time

from nameko.rpc import rpc

from services.common.caller import Role
from services.common.contracts.deliberation import HallIn, HallOut, HallPage
from services.common.paging import fetch, page_key
from services.common.rpc import as_caller, parse, replies
from services.deliberation import access, views
from services.deliberation.models import Hall, new_id

HALL_MAKERS = (Role.community_admin,)


class HallEntrypoints:
    @rpc
    @replies(HallOut)
    def create_hall(self, caller: dict, data: dict) -> HallOut:
        """A community admin publishes a hall: address, opening hours, capacity, contact."""
        who = as_caller(caller)
        who.require_role(*HALL_MAKERS)
        spec = parse(HallIn, data)
        place = access.home(who, spec.community_id)
        now = time.time()
        hall_id = new_id("h")
        doc = Hall(id=hall_id, district_id=place.district_id, street_id=place.street_id,
                   community_id=place.community_id, created_ts=now,
                   page_key=page_key(f"c:{place.community_id}", now, hall_id),
                   **spec.model_dump(mode="json", exclude={"community_id"}))
        doc.save(force_insert=True)
        return views.hall(doc)

    @rpc
    @replies(HallPage)
    def list_halls(self, caller: dict, community_id: str | None = None,
                   limit: int | None = None, cursor: str | None = None) -> dict:
        """The community's halls, newest first (any account of the community)."""
        who = as_caller(caller)
        place = access.reader_home(who, community_id)
        docs, nxt = fetch(Hall.objects, "page_key", f"c:{place}",
                          views.page_query(limit, cursor))
        return views.page(docs, nxt, views.hall)
