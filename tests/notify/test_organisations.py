"""孵化: an organisation entering its next stage reaches its founder; its graduation (出壳)
reaches the founder and every member once each, and nobody else (events published as
incubation publishes them: tests/incubation proves the emitting)."""

from __future__ import annotations

import time

from deploy.waits import wait_until
from services.common.contracts.incubation import OrganisationGraduated, OrganisationStageReached
from tests.dispatch.helpers import token_headers
from tests.notify.helpers import publish, tag


def _about(client, headers, org: str) -> list[dict]:  # noqa: ANN001
    answer = client.get("/me/notifications", headers=headers)
    assert answer.status_code == 200, answer.text
    return [n for n in answer.json()["items"] if n["ref"] == f"organisation:{org}"]


def test_the_founder_hears_each_stage_and_everyone_of_it_the_graduation(nplatform):
    client, a, t = nplatform.client, nplatform.community_id("A"), tag()
    org = f"org-{t}"
    ids = {who: f"u-{who}-{t}" for who in ("founder", "member1", "member2", "neighbour")}
    headers = {who: token_headers(nplatform, "resident", uid) for who, uid in ids.items()}
    publish(nplatform, "incubation", OrganisationStageReached(
        organisation_id=org, community_id=a, kind="mutual_aid", founder_account_id=ids["founder"],
        stage="nurture", previous_stage="sprout", reached_ts=time.time()), a)
    assert wait_until(lambda: _about(client, headers["founder"], org), timeout=10, every=0.1)
    [stage] = _about(client, headers["founder"], org)
    assert (stage["kind"], stage["title"], stage["audience"]) == (
        "organisation_stage", "您发起的组织进入培育阶段", "personal")
    assert not _about(client, headers["member1"], org)

    publish(nplatform, "incubation", OrganisationGraduated(
        organisation_id=org, community_id=a, kind="mutual_aid", founder_account_id=ids["founder"],
        member_account_ids=[ids["founder"], ids["member1"], ids["member2"]],
        graduated_ts=time.time()), a)
    for who in ("founder", "member1", "member2"):
        assert wait_until(lambda w=who: [n for n in _about(client, headers[w], org)
                                         if n["kind"] == "organisation_graduated"],
                          timeout=10, every=0.1), who
    time.sleep(0.5)  # a second copy for the founder (named twice) would be here by now
    graduated = [n for n in _about(client, headers["founder"], org)
                 if n["kind"] == "organisation_graduated"]
    assert [n["title"] for n in graduated] == ["您的组织已出壳，独立运营"]
    assert not _about(client, headers["neighbour"], org)
