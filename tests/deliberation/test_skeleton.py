"""The service is up in the platform: its categories answer (the seven colours seeded, then
the community's own set, edited by its admins only), its halls are per community."""

from __future__ import annotations

import pytest

from services.common.errors import Forbidden, InvalidInput, NotFound
from tests.deliberation.helpers import caller, listed_topic, tag
from tests.platform import SYSTEM


def test_the_seven_colours_each_bring_the_four_fixed_parties(dplatform):
    with dplatform.rpc() as rpc:
        colours = rpc.deliberation.topic_categories(SYSTEM, dplatform.community_id("A"))
    assert [c["colour"] for c in colours][:7] == ["red", "orange", "yellow", "green", "cyan",
                                                  "blue", "purple"]
    for colour in colours:
        assert colour["parties"][:4] == ["community_committee", "mediation_committee",
                                         "police", "residents_representative"]


def test_a_communitys_categories_are_its_admins_data_checked_when_a_topic_names_one(dplatform):
    """Community B adds a category and retires yellow; A's set stays the seven colours."""
    admin_b, key = caller(dplatform, "community_admin", "B"), f"k{tag()}"
    client = dplatform.client
    with dplatform.rpc() as rpc:
        body = {"name": "加装电梯", "theme": "lifts in old buildings",
                "parties": ["property_company", "expert", "police"]}
        put = client.put(f"/deliberation/categories/{key}",
                         headers=dplatform.headers("community_admin", "B"), json=body)
        assert put.status_code == 200, put.text
        made = {c["colour"]: c for c in put.json()}
        assert made[key]["parties"] == ["community_committee", "mediation_committee", "police",
                                        "residents_representative", "property_company", "expert"]
        assert len(made) == 8 and not made["yellow"]["retired"]
        rpc.deliberation.put_topic_category(admin_b, "yellow", {
            "name": "黄色·余热回议", "parties": ["volunteer"], "retired": True})
        shown = {c["colour"]: c for c in rpc.deliberation.topic_categories(
            caller(dplatform, "resident", "B", "cat-r"))}
        assert shown["yellow"]["retired"] and key in shown

        topic = listed_topic(rpc, admin_b, category=key)
        assert topic["category"] == key and "expert" in topic["parties"]
        with pytest.raises(InvalidInput) as bad:  # retired: no new topic names it
            listed_topic(rpc, admin_b, category="yellow")
        assert bad.value.fields == {"category": "retired"}
        admin_a = caller(dplatform, "community_admin", "A")
        with pytest.raises(InvalidInput) as bad:  # B's category is not A's
            listed_topic(rpc, admin_a, category=key)
        assert "category" in bad.value.fields
        assert listed_topic(rpc, admin_a, category="yellow")["category"] == "yellow"
        assert key not in [c["colour"] for c in rpc.deliberation.topic_categories(admin_a)]

        with pytest.raises(Forbidden):
            rpc.deliberation.put_topic_category(caller(dplatform, "resident", "B", "cat-r"),
                                                key, body)
        with pytest.raises(NotFound):  # another tenant: the same 404 as a made-up community
            rpc.deliberation.put_topic_category(
                admin_a, key, body | {"community_id": dplatform.community_id("B")})
        with pytest.raises(InvalidInput) as bad:
            rpc.deliberation.put_topic_category(admin_b, "Not A Key", body)
        assert "key" in bad.value.fields
    other = client.put(f"/deliberation/categories/{key}",
                       headers=dplatform.headers("community_admin", "A"),
                       json=body | {"community_id": dplatform.community_id("B")})
    assert other.status_code == 404
    assert client.get("/deliberation/categories", headers=dplatform.headers("resident", "A"),
                      params={"community_id": dplatform.community_id("B")}).status_code == 404
