"""An issue's steps reach its reporter and the reporters of the issues merged into it
(real intake: the read model of who reported what is fed by its events alone)."""

from __future__ import annotations

from deploy.waits import wait_until

ISSUE = {"category": "street_lighting", "description": "3 号楼前的路灯一周没亮了",
         "location": {"lat": 39.9042, "lng": 116.4074}}


def _inbox(client, headers) -> list[dict]:  # noqa: ANN001
    answer = client.get("/me/notifications", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _about(client, headers, issue_id: str) -> list[str]:  # noqa: ANN001
    return [n["title"] for n in _inbox(client, headers) if n["ref"] == f"issue:{issue_id}"]


def test_the_reporter_and_a_merged_reporter_hear_of_the_original_being_resolved(nplatform):
    client = nplatform.client
    community = nplatform.community_id("A")
    first = nplatform.headers("resident", "A", "steps-1")
    second = nplatform.headers("resident", "A", "steps-2")
    admin = nplatform.headers("community_admin", "A")
    original = client.post("/issues", headers=first, json={**ISSUE, "community_id": community})
    duplicate = client.post("/issues", headers=second, json={**ISSUE, "community_id": community})
    assert original.status_code == duplicate.status_code == 201, original.text
    original_id, duplicate_id = original.json()["id"], duplicate.json()["id"]

    assert client.post(f"/issues/{original_id}/triage", headers=admin, json={}).status_code == 200
    assert wait_until(lambda: _about(client, first, original_id), timeout=10, every=0.1)
    assert _about(client, first, original_id) == ["您反映的诉求已受理分拨"]
    assert not _about(client, second, original_id)

    merged = client.post(f"/issues/{duplicate_id}/merge", headers=admin,
                         json={"original_id": original_id})
    assert merged.status_code == 200, merged.text
    assert wait_until(lambda: _about(client, second, duplicate_id), timeout=10, every=0.1)
    resolved = client.post(f"/issues/{original_id}/resolve", headers=admin,
                           json={"note": "已更换灯泡"})
    assert resolved.status_code == 200, resolved.text
    told = "您反映的诉求已办结，请评价"
    for reporter in (first, second):
        assert wait_until(lambda r=reporter: told in _about(client, r, original_id),
                          timeout=10, every=0.1)
    [note] = [n for n in _inbox(client, second) if n["title"] == told]
    assert (note["body"], note["audience"], note["read"]) == ("已更换灯泡", "personal", False)
    # the admin who took the steps is not told of them
    assert not _about(client, admin, original_id)
