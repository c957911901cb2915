"""微更新's pure rules: the funded threshold, what a pledge may be, who is masked, photos by
phase, the donors' page, and the renewal's counters."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.common import counters
from services.common.contracts.volunteers import (
    MAX_PHOTOS_PER_PHASE,
    MAX_PLEDGES,
    PhotoPhase,
    PledgeIn,
)
from services.common.errors import Conflict, InvalidInput
from services.common.paging import PageQuery, encode_cursor, page_key
from services.common.rpc import parse
from services.volunteers.domain import projects, renewal, tallies


def published(budget: int = 100) -> SimpleNamespace:
    return SimpleNamespace(id="pj-r-d-m1", community_id="c1", kind="renewal", state="published",
                           budget_yuan=budget, pledged_yuan=0, pledges=[], photos=[],
                           milestones=[{"title": "粉刷", "due_ts": 10.0}], need_id=None,
                           owner_unit_id="community", title="楼道", participants=[])


def apply(p: SimpleNamespace, decision) -> SimpleNamespace:  # noqa: ANN001
    for name, value in decision.changes.items():
        setattr(p, name, value)
    return p


def row(p: SimpleNamespace, n: int, amount: int | None = None, in_kind: str | None = None,
        **who: object) -> dict:
    spec = PledgeIn(donor_kind=who.pop("donor_kind", "resident"), amount_yuan=amount,
                    in_kind=in_kind, **who)
    return renewal.pledge_row(p.id, f"pl-{n}", spec, "u1", float(n))


def test_money_reaching_the_budget_funds_it_and_in_kind_counts_towards_none():
    assert not renewal.is_funded(100, 99, 3)
    assert renewal.is_funded(100, 100, 1) and renewal.is_funded(100, 150, 2)
    assert not renewal.is_funded(0, 0, 0) and renewal.is_funded(0, 0, 1)
    p = published(100)
    apply(p, renewal.pledge(p, row(p, 1, in_kind="花土"), 1.0))
    assert (p.state, p.pledged_yuan) == ("published", 0)
    apply(p, renewal.pledge(p, row(p, 2, 60), 2.0))
    assert (p.state, p.pledged_yuan) == ("published", 60)
    apply(p, renewal.pledge(p, row(p, 3, 40), 3.0))
    assert (p.state, p.pledged_yuan, p.funded_ts) == ("funded", 100, 3.0)
    more = renewal.pledge(p, row(p, 4, 5), 4.0)  # over-funding: welcome, no second move
    assert "state" not in more.changes and more.changes["pledged_yuan"] == 105


def test_a_pledge_waits_for_the_publication_and_ends_with_the_renewal():
    p = published()
    p.state = "planned"
    with pytest.raises(Conflict) as early:
        renewal.pledge(p, row(p, 1, 5), 1.0)
    assert early.value.fields == {"project_id": "not published"}
    p.state = "completed"
    with pytest.raises(Conflict):
        renewal.pledge(p, row(p, 1, 5), 1.0)
    p = published()
    p.pledges = [{"id": str(n)} for n in range(MAX_PLEDGES)]
    with pytest.raises(Conflict) as full:
        renewal.pledge(p, row(p, 1, 5), 1.0)
    assert "pledges" in full.value.fields
    plain = SimpleNamespace(**{**vars(published()), "kind": "project"})
    with pytest.raises(Conflict):
        renewal.pledge(plain, row(plain, 1, 5), 1.0)


@pytest.mark.parametrize(("data", "field"), [
    ({"donor_kind": "resident"}, "amount_yuan"),  # neither money nor in kind
    ({"donor_kind": "resident", "amount_yuan": 5, "in_kind": "花"}, "amount_yuan"),
    ({"donor_kind": "resident", "amount_yuan": 0}, "amount_yuan"),
    ({"donor_kind": "resident", "amount_yuan": -5}, "amount_yuan"),
    ({"donor_kind": "merchant", "amount_yuan": 5, "donor_name": "店"}, "merchant_id"),
    ({"donor_kind": "merchant", "amount_yuan": 5, "merchant_id": "shop-1"}, "merchant_id"),
    ({"donor_kind": "resident", "amount_yuan": 5, "merchant_id": "shop-1"}, "merchant_id"),
    ({"donor_kind": "bank", "amount_yuan": 5}, "donor_kind"),
])
def test_a_bad_pledge_is_refused_naming_its_field(data, field):
    with pytest.raises(InvalidInput) as refused:
        parse(PledgeIn, data)
    assert field in str(refused.value.fields)


def test_a_residents_name_is_masked_unless_shown_and_a_merchants_is_named():
    assert renewal.mask("张三") == "张*" and renewal.mask("欧阳娜娜") == "欧***"
    assert renewal.mask("王") == "王*" and renewal.mask(None) == renewal.mask("  ") == "居民"
    resident = {"donor_kind": "resident", "donor_name": "张三", "show_name": False}
    assert renewal.donor_shown(resident, full=False) == "张*"
    assert renewal.donor_shown(resident, full=True) == "张三"
    assert renewal.donor_shown(resident | {"show_name": True}, full=False) == "张三"
    merchant = {"donor_kind": "merchant", "donor_name": "好邻居超市", "show_name": False}
    assert renewal.donor_shown(merchant, full=False) == "好邻居超市"


def test_after_photos_once_funded_shown_to_residents_once_done_and_bounded():
    p = published()
    with pytest.raises(Conflict) as early:
        renewal.add_photo(p, PhotoPhase.after, "p1", 1.0)
    assert "phase" in early.value.fields
    for n in range(MAX_PHOTOS_PER_PHASE):
        apply(p, renewal.add_photo(p, PhotoPhase.before, f"b{n}", 1.0))
    with pytest.raises(Conflict) as full:
        renewal.add_photo(p, PhotoPhase.before, "b-more", 1.0)
    assert "file" in full.value.fields
    p.state = "funded"
    apply(p, renewal.add_photo(p, PhotoPhase.after, "a1", 2.0))
    assert renewal.photo_ids(p, "after", admin=False) == []
    assert renewal.photo_ids(p, "after", admin=True) == ["a1"]
    p.state = "completed"
    assert renewal.photo_ids(p, "after", admin=False) == ["a1"]
    assert len(renewal.photo_ids(p, "before", admin=False)) == MAX_PHOTOS_PER_PHASE
    with pytest.raises(InvalidInput):
        renewal.check_phase("during")


def test_only_a_funded_renewal_has_its_milestones_done():
    p = published()
    with pytest.raises(Conflict) as unfunded:
        projects.complete_milestone(p, 0, 1.0)
    assert unfunded.value.fields == {"project_id": "not funded"}
    p.state = "funded"
    done = projects.complete_milestone(p, 0, 2.0)
    assert done.changes["state"] == "completed"


def test_the_donors_page_newest_first_with_a_cursor_of_its_own_list():
    p = published()
    rows = [row(p, n, 1) for n in range(5)]
    first, cursor = renewal.page(rows, f"pj:{p.id}", PageQuery(limit=2))
    assert [r["id"] for r in first] == ["pl-4", "pl-3"] and cursor
    second, cursor = renewal.page(rows, f"pj:{p.id}", PageQuery(limit=2, cursor=cursor))
    assert [r["id"] for r in second] == ["pl-2", "pl-1"]
    last, cursor = renewal.page(rows, f"pj:{p.id}", PageQuery(limit=2, cursor=cursor))
    assert [r["id"] for r in last] == ["pl-0"] and cursor is None
    other = encode_cursor(page_key("pj:another", 1.0, "pl-9"))
    with pytest.raises(InvalidInput):
        renewal.page(rows, f"pj:{p.id}", PageQuery(limit=1, cursor=other))


def test_a_renewal_counts_when_made_and_when_done_with_both_photos():
    assert tallies.project("project", "completed", ["before", "after"]) == {}
    made = tallies.scoped("c1", tallies.project("renewal", "planned", []))
    assert counters.difference(None, made) == {"*": {"renewal_projects": 1},
                                               "c:c1": {"renewal_projects": 1}}
    done = tallies.scoped("c1", tallies.project("renewal", "completed", ["before"]))
    shown = tallies.scoped("c1", tallies.project("renewal", "completed", ["before", "after"]))
    assert counters.difference(made, done) == {}
    assert counters.difference(done, shown) == {"*": {"renewal_published": 1},
                                                "c:c1": {"renewal_published": 1}}
    assert counters.difference(shown, shown) == {}
