"""bench/seed_bulk.py writes the services' own document shapes (it builds them from the
models), so a model change that it does not follow fails here, not in a growth run."""

from __future__ import annotations

import random
import time

from bench.seed_bulk import _templates, batch
from services.dispatch.models import Order, OrderLine
from services.intake.models import Issue, TimelineEntry

COMMUNITY = {"id": "c-seed", "street_id": "s-seed", "district_id": "d-seed"}


def test_every_bulk_document_loads_and_validates_as_its_model():
    issues, entries, orders, lines = batch([COMMUNITY], [_templates(COMMUNITY)], 0, 200,
                                           time.time(), random.Random(7))
    assert len(issues) == 200 and len(entries) >= 200 and orders
    for model, docs in ((Issue, issues), (TimelineEntry, entries), (Order, orders),
                        (OrderLine, lines)):
        for doc in docs:
            model._from_son(doc).validate()
    assert {o["issue_id"] for o in orders} <= {i["_id"] for i in issues}
    assert all(o["_id"] == f"o-{o['issue_id']}" for o in orders)
    assert all(e["issue_id"] in {i["_id"] for i in issues} for e in entries)
    open_ones = [i for i in issues if i["state"] in ("received", "triaged", "dispatched")]
    assert all(i["dup_key"].startswith(i["dup_scope"]) for i in open_ones)
    assert all(o["board_key"] for o in orders)
