"""Privacy and refusals: a case's parties are visible only to its mediator and its
community's admin; another resident, a resident of community B, another mediator and B's
admin get 403/404 and see nothing of it in any list. Each refusal has its status, code and
field, at the gateway and (where the gateway's role gate lets nothing through) the RPC."""

from __future__ import annotations

import time

import pytest

from services.common.errors import DomainError
from tests.dispatch.helpers import token_headers
from tests.mediation.helpers import tag, walk_in
from tests.platform import error_of


@pytest.fixture(scope="module")
def case(mplatform, mediators) -> dict:
    t = tag()
    admin = mplatform.headers("community_admin")
    a1, a2 = (mplatform.user("resident", "A", f"a1{t}"), mplatform.user("resident", "A", f"a2{t}"))
    made = walk_in(mplatform.client, admin, [
        {"name": "张三", "account_id": a1["id"], "phone": "+86 135 1111 1111",
         "address": "3 号楼 502"},
        {"name": "李四", "account_id": a2["id"], "address": "3 号楼 602"}])
    other = mediators.accept(made["id"], accept=False)  # declined: never sees the case
    mediator = mediators.accept(made["id"])
    assert mediator != other
    return {"id": made["id"], "tag": t, "mediator": mediator, "other": other}


def _secret_free(body: object) -> bool:
    text = str(body)
    return not any(s in text for s in ("张三", "李四", "502", "135 1111"))


def test_the_mediator_and_the_admin_see_the_parties_and_list_the_case(mplatform, mediators,
                                                                      case):
    """The mediator who accepted after another declined (volunteers' offer in turn)."""
    client = mplatform.client
    admin = mplatform.headers("community_admin")
    mine = mediators.headers[case["mediator"]]
    for headers in (admin, mine):
        got = client.get(f"/mediation/cases/{case['id']}", headers=headers)
        assert got.status_code == 200, got.text
        assert [p["name"] for p in got.json()["parties"]] == ["张三", "李四"]
    listed = client.get("/mediation/cases", headers=admin).json()["items"]
    assert case["id"] in [c["id"] for c in listed]
    own = client.get("/mediation/cases?mine=true", headers=mine).json()["items"]
    assert [c["id"] for c in own if c["id"] == case["id"]] == [case["id"]]


def test_a_party_sees_their_own_row_only(mplatform, case):
    party = mplatform.headers("resident", "A", f"a1{case['tag']}")
    got = mplatform.client.get(f"/mediation/cases/{case['id']}", headers=party)
    assert got.status_code == 200
    rows = got.json()["parties"]
    assert rows[0]["name"] == "张三" and rows[1]["name"] is None
    assert rows[1]["address"] is None and got.json()["summary"] is None
    wrong = mplatform.client.post(f"/mediation/cases/{case['id']}/consent", headers=party,
                                  json={"party_id": "p2", "consent": True})
    assert wrong.status_code == 404
    assert error_of(wrong)["fields"] == {"party_id": "unknown"}


@pytest.mark.parametrize("who", ["resident_a", "resident_b", "other_mediator", "admin_b",
                                 "street_admin"])
def test_outsiders_get_nothing_of_the_case(mplatform, mediators, case, who):
    client = mplatform.client
    headers = {"resident_a": lambda: mplatform.headers("resident", "A", "outsider"),
               "resident_b": lambda: mplatform.headers("resident", "B"),
               "other_mediator": lambda: mediators.headers[case["other"]],
               "admin_b": lambda: mplatform.headers("community_admin", "B"),
               "street_admin": lambda: mplatform.headers("street_admin", "A")}[who]()
    got = client.get(f"/mediation/cases/{case['id']}", headers=headers)
    assert got.status_code in (403, 404) and _secret_free(got.text)
    assert error_of(got)["code"] in ("forbidden", "not_found")
    for path, body in ((f"/mediation/cases/{case['id']}/consent",
                        {"party_id": "p1", "consent": False}),
                       (f"/mediation/cases/{case['id']}/meetings",
                        {"starts_ts": time.time(), "ends_ts": time.time() + 600}),
                       (f"/mediation/cases/{case['id']}/close", {})):
        refused = client.post(path, headers=headers, json=body)
        assert refused.status_code in (403, 404), (path, refused.text)
    for query in ("", "?mine=true", f"?community_id={mplatform.community_id('A')}"):
        listed = client.get(f"/mediation/cases{query}", headers=headers)
        assert listed.status_code in (200, 403, 404)
        assert case["id"] not in listed.text and _secret_free(listed.text)
    figures = client.get("/mediation/figures", headers=headers, params={
        "unit": "community", "unit_id": mplatform.community_id("A")})
    assert figures.status_code in (403, 404)


def test_the_service_refuses_outsiders_itself(mplatform, mediators, case):
    tenancy = mplatform.tenancy()
    street = {"user_id": "s-1", "role": "street_admin", "district_id": tenancy.district["id"],
              "street_id": tenancy.streets["A"]["id"]}
    stranger = {"user_id": case["other"], "role": "operator",
                "district_id": tenancy.district["id"], "street_id": tenancy.streets["A"]["id"],
                "community_id": mplatform.community_id("A")}
    with mplatform.rpc() as rpc:
        for who in (street, stranger):
            with pytest.raises(DomainError) as refused:
                rpc.mediation.get_case(who, case["id"])
            assert (refused.value.status, refused.value.fields) == (404, {"case_id": "unknown"})
        with pytest.raises(DomainError) as listed:
            rpc.mediation.list_cases(street, None, False)
        assert listed.value.status == 403


def test_refusals_name_their_field(mplatform, mediators):
    client = mplatform.client
    admin = mplatform.headers("community_admin")
    resident = mplatform.headers("resident")
    refused = client.post("/mediation/cases", headers=resident, json={
        "kind": "family", "summary": "赡养纠纷", "parties": [{"name": "甲"}, {"name": "乙"}]})
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    one = client.post("/mediation/cases", headers=admin, json={
        "kind": "family", "summary": "赡养纠纷", "parties": [{"name": "甲"}]})
    assert one.status_code == 422 and "parties" in error_of(one)["fields"]
    made = walk_in(client, admin, [{"name": "甲"}, {"name": "乙"}])
    early = client.post(f"/mediation/cases/{made['id']}/meetings", headers=admin,
                        json={"starts_ts": time.time(), "ends_ts": time.time() + 600})
    assert early.status_code == 409
    assert error_of(early)["fields"] == {"consent": "every party must consent"}
    unsigned = client.post(f"/mediation/cases/{made['id']}/agreement/sign", headers=admin,
                           json={"party_id": "p1"})
    assert unsigned.status_code == 409 and error_of(unsigned)["fields"] == {"state": "open"}
    bad_unit = client.get("/mediation/figures", headers=admin,
                          params={"unit": "planet", "unit_id": "x"})
    assert bad_unit.status_code == 422 and "unit" in error_of(bad_unit)["fields"]
    other = client.get("/mediation/figures", headers=mplatform.headers("community_admin", "B"),
                       params={"unit": "community", "unit_id": mplatform.community_id("A")})
    assert other.status_code == 404 and error_of(other)["fields"] == {"unit_id": "unknown"}
    closed = client.post(f"/mediation/cases/{made['id']}/close", headers=admin,
                         json={"note": "双方不愿调解"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "no_agreement"
    again = client.post(f"/mediation/cases/{made['id']}/referral", headers=admin,
                        json={"to": "court"})
    assert again.status_code == 409 and error_of(again)["fields"] == {"state": "closed"}
    grid = token_headers(mplatform, "grid_worker", f"gw-{tag()}", grid_id="g-1")
    patrol = walk_in(client, grid, [{"name": "甲"}, {"name": "乙"}], source="patrol")
    assert patrol["parties"][0]["name"] is None and patrol["summary"] is None  # the filer
