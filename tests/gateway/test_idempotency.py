"""Idempotency keys are scoped to the caller, and a refused request does not burn its key."""

from __future__ import annotations

from services.gateway import tokens
from services.intake.service import IntakeService
from tests.intake.helpers import issue_body, sign_in
from tests.platform import error_of


def _open311_form(platform, token: str) -> dict:
    return {"api_key": token, "jurisdiction_id": platform.community_id("A"),
            "service_code": "street_lighting", "description": "路灯不亮",
            "lat": "39.9042", "long": "116.4074"}


def _token(headers: dict) -> str:
    return headers["Authorization"].split()[1]


def test_two_open311_clients_may_use_the_same_key(platform):
    client = platform.start(IntakeService)
    key = {"Idempotency-Key": "open311-shared-key"}
    first, second = (client.post("/open311/v2/requests.json", headers=key,
                                 data=_open311_form(platform, _token(sign_in(platform, "resident",
                                                                             name=who))))
                     for who in ("1", "2"))
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert "Idempotent-Replayed" not in second.headers
    assert first.json()[0]["service_request_id"] != second.json()[0]["service_request_id"]


def test_an_open311_client_replaying_its_key_gets_its_first_answer(platform):
    client = platform.start(IntakeService)
    key = {"Idempotency-Key": "open311-retry"}
    form = _open311_form(platform, _token(sign_in(platform, "resident")))
    first = client.post("/open311/v2/requests.json", headers=key, data=form)
    again = client.post("/open311/v2/requests.json", headers=key, data=form)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_the_key_belongs_to_the_user_not_to_one_token(platform):
    client = platform.start(IntakeService)
    tenancy = platform.tenancy()
    user = {"id": "u-resident-A-1", "role": "resident", "district_id": tenancy.district["id"],
            "community_id": platform.community_id("A")}
    body = issue_body(platform)
    answers = []
    for _ in range(2):  # a new sign-in between the attempt and the retry
        token = tokens.issue(user, platform.settings.jwt_secret, 600)
        answers.append(client.post("/issues", json=body, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": "per-user"}))
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert answers[1].json()["id"] == answers[0].json()["id"]
    other = client.post("/issues", json=body, headers=sign_in(platform, "resident", name="2")
                        | {"Idempotency-Key": "per-user"})
    assert other.status_code == 201 and other.json()["id"] != answers[0].json()["id"]


def test_a_refused_request_does_not_burn_its_key(platform):
    client = platform.start(IntakeService)
    headers = sign_in(platform, "resident") | {"Idempotency-Key": "fix-and-retry"}
    refused = client.post("/issues", headers=headers,
                          json=issue_body(platform, description="   "))
    assert refused.status_code == 422 and error_of(refused)["fields"] == {
        "description": "String should have at least 1 character"}
    unknown = client.post("/issues", headers=headers,
                          json=issue_body(platform, category="no_such_category"))
    assert unknown.status_code == 422, unknown.text
    corrected = client.post("/issues", headers=headers, json=issue_body(platform))
    assert corrected.status_code == 201, corrected.text
    assert "Idempotent-Replayed" not in corrected.headers
    replayed = client.post("/issues", headers=headers, json=issue_body(platform))
    assert replayed.headers["Idempotent-Replayed"] == "true"
    changed = client.post("/issues", headers=headers, json=issue_body(platform, description="x"))
    assert changed.status_code == 422
    assert error_of(changed)["code"] == "idempotency_key_reused"


def test_an_unauthenticated_post_with_a_key_is_refused_without_a_record(platform):
    client = platform.start(IntakeService)
    headers = {"Idempotency-Key": "nobody", "Authorization": "Bearer not-a-token"}
    for _ in range(2):
        response = client.post("/issues", headers=headers, json=issue_body(platform))
        assert response.status_code == 401 and error_of(response)["code"] == "unauthenticated"
    assert platform.client.app.state.idempotency.count_documents({}) == 0
