"""Scope: an operator's contact details are seen by their community's admins and the
resident they are matched with only; community B never sees A's volunteers."""

from __future__ import annotations

import uuid

from tests.dispatch.helpers import token_headers
from tests.volunteers.helpers import profile_body


def test_contact_details_reach_only_the_admins_of_the_community_and_the_matched_resident(
        vplatform):
    client = vplatform.client
    operator_id = f"u-lawyer-{uuid.uuid4().hex[:6]}"
    operator = token_headers(vplatform, "operator", operator_id)
    saved = client.put("/volunteers/profile", headers=operator, json=profile_body(
        display_name="退休律师", kinds=["operator"], skills=["mediation"],
        contact={"phone": "+86 137 1234 5678", "email": "lawyer@example.org"}))
    assert saved.status_code == 200, saved.text
    assert saved.json()["contact"]["email"] == "lawyer@example.org"  # their own

    admin_a = vplatform.headers("community_admin", "A")
    seen = client.get(f"/volunteers/{operator_id}", headers=admin_a).json()
    assert seen["contact"]["phone"] == "+86 137 1234 5678"
    neighbour = token_headers(vplatform, "resident", f"u-n-{uuid.uuid4().hex[:6]}")
    public = client.get(f"/volunteers/{operator_id}", headers=neighbour)
    assert public.status_code == 200 and public.json()["contact"] is None
    street = vplatform.headers("street_admin", "A")
    assert client.get(f"/volunteers/{operator_id}", headers=street).json()["contact"] is None

    for outsider in (vplatform.headers("community_admin", "B"),
                     token_headers(vplatform, "resident", "u-far", where="B")):
        assert client.get(f"/volunteers/{operator_id}", headers=outsider).status_code == 404

    # The resident whose wish the operator claimed sees the contact on the wish.
    resident = token_headers(vplatform, "resident", f"u-r-{uuid.uuid4().hex[:6]}")
    wish = client.post("/wishes", headers=resident, json={"title": "邻里纠纷",
                                                          "detail": "需要调解"}).json()
    assert client.post(f"/wishes/{wish['id']}/claim", headers=operator).status_code == 200
    assert client.get(f"/wishes/{wish['id']}",
                      headers=resident).json()["volunteer_contact"]["email"] == (
        "lawyer@example.org")


def test_community_b_cannot_list_or_rank_as_volunteers(vplatform):
    client = vplatform.client
    account = f"u-a-only-{uuid.uuid4().hex[:6]}"
    assert client.put("/volunteers/profile", headers=token_headers(vplatform, "volunteer",
                                                                   account),
                      json=profile_body()).status_code == 200
    admin_a, admin_b = (vplatform.headers("community_admin", w) for w in ("A", "B"))
    listed_a = client.get("/volunteers?limit=100", headers=admin_a).json()
    assert account in [p["account_id"] for p in listed_a["items"]]
    listed_b = client.get("/volunteers?limit=100", headers=admin_b).json()
    assert account not in str(listed_b)
    a_id = vplatform.community_id("A")
    assert client.get(f"/volunteers?community_id={a_id}", headers=admin_b).status_code == 404
    ranked_b = client.post("/matches/rank", headers=admin_b, json={"skill": "plumbing"}).json()
    assert account not in str(ranked_b)
    assert client.post("/matches/rank", headers=admin_b, json={
        "community_id": a_id, "skill": "plumbing"}).status_code == 404
    ranked_a = client.post("/matches/rank", headers=admin_a, json={"skill": "repair"}).json()
    assert account in [r["account_id"] for r in ranked_a]


def test_an_admin_verifies_a_certification_of_their_community_only(vplatform):
    client = vplatform.client
    account = f"u-doc-{uuid.uuid4().hex[:6]}"
    me = token_headers(vplatform, "operator", account)
    client.put("/volunteers/profile", headers=me, json=profile_body(skills=["first_aid"]))
    cert = client.post("/volunteers/profile/certifications", headers=me, json={
        "skill": "first_aid", "title": "红十字急救证"}).json()["certifications"][0]
    assert cert["verified"] is False
    path = f"/volunteers/{account}/certifications/{cert['id']}/verify"
    assert client.post(path, headers=vplatform.headers("community_admin", "B")
                       ).status_code == 404
    done = client.post(path, headers=vplatform.headers("community_admin", "A"))
    assert done.status_code == 200 and done.json()["certifications"][0]["verified"] is True
