"""A community admin's own process: a new version for organisations registered after it;
one registered before keeps the checklist it started with. In a community of its own, so
the other tests' default process is untouched."""

from __future__ import annotations

from tests.incubation.helpers import tag
from tests.platform import SYSTEM, error_of

OWN_PROCESS = {"stages": [
    {"key": "start", "name": "起步", "steps": [
        {"key": "gather", "name": "召集", "requires": [{"kind": "members", "min": 2}]}]},
    {"key": "run", "name": "运行", "steps": [
        {"key": "approve", "name": "认定", "requires": [{"kind": "signoff", "min": 1}]}]}]}


def test_a_configured_process_is_a_new_version_and_older_organisations_keep_theirs(iplatform):
    tenancy, client = iplatform.tenancy(), iplatform.client
    if "C" not in tenancy.communities:
        with iplatform.rpc() as rpc:
            tenancy.communities["C"] = rpc.identity.create_community(SYSTEM, {
                "street_id": tenancy.streets["A"]["id"], "name": f"Community C {tag()}"})
    admin = iplatform.headers("community_admin", "C")
    founder = iplatform.user("resident", "C", f"f{tag()}")
    before = client.post("/incubation/organisations", headers=admin, json={
        "kind": "governance", "name": "楼门长团队", "purpose": "楼栋自治",
        "founder_account_id": founder["id"]}).json()
    assert before["process_version"] == 1 and len(before["steps"]) == 9

    configured = client.put("/incubation/process", headers=admin, json=OWN_PROCESS)
    assert configured.status_code == 200, configured.text
    assert configured.json()["version"] == 2
    after = client.post("/incubation/organisations", headers=admin, json={
        "kind": "interest", "name": "书法社", "purpose": "练字",
        "founder_account_id": founder["id"]}).json()
    assert (after["process_version"], after["stage"], after["step"]) == (2, "start", "gather")
    assert [s["key"] for s in after["steps"]] == ["gather", "approve"]
    kept = client.get(f"/incubation/organisations/{before['id']}", headers=admin).json()
    assert kept["process_version"] == 1 and len(kept["steps"]) == 9

    duplicate = {"stages": [OWN_PROCESS["stages"][0], OWN_PROCESS["stages"][0]]}
    refused = client.put("/incubation/process", headers=admin, json=duplicate)
    assert refused.status_code == 422 and "stages" in error_of(refused)["fields"]
    other = client.put("/incubation/process", headers=iplatform.headers("resident", "C"),
                       json=OWN_PROCESS)
    assert other.status_code == 403
