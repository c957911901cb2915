"""微更新 through the gateway: a resident's renewal proposal → topic → "4 + N" meeting →
review → the households' vote passes → decision.approved → a renewal project in the four
lists (once, however often the approval comes) → 公示 → a partner merchant's and residents'
pledges fund it → before and after photos, EXIF stripped → the published view shows it
all, the donors masked; another community sees and pledges nothing."""

from __future__ import annotations

import io
import time

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from PIL import Image

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.deliberation import DecisionApproved
from tests.deliberation.helpers import (
    events,
    hall_body,
    minutes_body,
    roster,
    slot_start,
    tag,
)
from tests.intake.helpers import jpeg_with_gps
from tests.platform import error_of

GPS_IFD = 0x8825
BUDGET = 3000


def _voted_renewal(dplatform, client, admin: dict, proposer: dict) -> tuple[dict, str]:  # noqa: ANN001
    title = f"3 号楼楼道微更新 {tag()}"
    made = client.post("/topics", headers=proposer, json={
        "title": title, "detail": "楼道墙面剥落, 提议粉刷并加装扶手", "category": "purple",
        "kind": "renewal", "renewal": {"place": "3 号楼 1 单元楼道", "building": "3 号楼",
                                       "budget_yuan": BUDGET}})
    assert made.status_code == 201, made.text
    topic = made.json()
    assert topic["kind"] == "renewal" and topic["renewal"]["budget_yuan"] == BUDGET
    assert client.post(f"/topics/{topic['id']}/pick", headers=admin).status_code == 200

    hall = client.post("/halls", headers=admin, json=hall_body()).json()
    people = roster(dplatform)
    start = slot_start()
    meeting = client.post("/meetings", headers=admin, json={
        "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
        "ends_ts": start + 3600, "participants": people})
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    body = minutes_body([p["account_id"] for p in people], tasks=1)
    assert client.post(f"/meetings/{mid}/minutes", headers=admin, json=body).status_code == 200
    reviewed = client.post(f"/meetings/{mid}/review", headers=admin, json={"approve": True})
    assert reviewed.json()["state"] == "reviewed", reviewed.text
    voters = {f"hh-rn-{n}": [dplatform.user("resident", "A", f"rn-v{n}")["id"]]
              for n in range(2)}
    opened = client.post(f"/meetings/{mid}/vote", headers=admin, json={
        "electorate": [{"household_id": k, "members": v} for k, v in voters.items()],
        "closes_ts": time.time() + 3.5})
    assert opened.status_code == 200, opened.text
    for n in range(2):
        cast = client.post(f"/meetings/{mid}/ballots", json={"choice": "yes"},
                           headers=dplatform.headers("resident", "A", f"rn-v{n}"))
        assert cast.status_code == 201, cast.text
    assert wait_until(lambda: client.get(f"/meetings/{mid}", headers=admin).json()["state"]
                      == "approved", timeout=10, every=0.2)
    return topic, reviewed.json()["decision_id"]


def test_a_renewal_is_voted_funded_and_published_with_its_photos(dplatform):
    from services.volunteers.models import Tally

    client = dplatform.client
    admin = dplatform.headers("community_admin", "A")
    proposer = dplatform.headers("resident", "A", "rn-prop")
    resident = dplatform.headers("resident", "A", "rn-r1")
    neighbour = dplatform.headers("resident", "A", "rn-r2")
    outsider = dplatform.headers("resident", "B", "rn-out")
    admin_b = dplatform.headers("community_admin", "B")
    scope = f"c:{dplatform.community_id('A')}"
    before = Tally.figures(scope)

    # bad input names its field
    no_terms = client.post("/topics", headers=proposer, json={
        "title": "花园", "detail": "改造", "category": "purple", "kind": "renewal"})
    assert no_terms.status_code == 422 and "renewal" in str(error_of(no_terms)["fields"])
    negative = client.post("/topics", headers=proposer, json={
        "title": "花园", "detail": "改造", "category": "purple", "kind": "renewal",
        "renewal": {"place": "花园", "budget_yuan": -1}})
    assert negative.status_code == 422 and "budget_yuan" in str(error_of(negative)["fields"])

    topic, decision = _voted_renewal(dplatform, client, admin, proposer)
    project_id = f"pj-r-{decision}"
    path = f"/projects/{project_id}"
    assert wait_until(lambda: client.get(path, headers=admin).status_code == 200, timeout=10,
                      every=0.2)
    project = client.get(path, headers=admin).json()
    assert (project["kind"], project["state"], project["topic_id"], project["decision_id"],
            project["place"], project["building"], project["budget_yuan"]) == (
        "renewal", "planned", topic["id"], decision, "3 号楼 1 单元楼道", "3 号楼", BUDGET)
    assert project["title"] == topic["title"] and len(project["milestones"]) == 1

    # the approval again, as a new delivery (a new event id: past the inbox): no second project
    (approved,) = [e for e in events("decision.approved") if e["decision_id"] == decision]
    again = new_event(DecisionApproved(**approved), Caller.system(), approved["community_id"])
    with entrypoint_waiter(dplatform.containers["volunteers"], "on_renewal_approved",
                           timeout=10):
        event_dispatcher(dplatform.config)("deliberation", "decision.approved",
                                           again.to_message())
    mine = [p for p in client.get("/projects", headers=admin, params={"limit": 100})
            .json()["items"] if p.get("decision_id") == decision]
    assert [p["id"] for p in mine] == [project_id]

    # 公示 first: residents see nothing, nobody pledges, before it is published
    assert client.get(path, headers=resident).status_code == 404
    early = client.post(f"{path}/pledges", headers=admin, json={
        "donor_kind": "merchant", "merchant_id": "shop-rn", "donor_name": "好邻居超市",
        "amount_yuan": 100})
    assert early.status_code == 409 and error_of(early)["fields"] == {
        "project_id": "not published"}
    assert client.post(f"{path}/publish", headers=admin).json()["state"] == "published"

    # before photo; after photos wait for the money
    shot = jpeg_with_gps()
    up = client.post(f"{path}/photos/before", headers=admin,
                     files={"file": ("before.jpg", shot, "image/jpeg")})
    assert up.status_code == 201, up.text
    too_soon = client.post(f"{path}/photos/after", headers=admin,
                           files={"file": ("after.jpg", shot, "image/jpeg")})
    assert too_soon.status_code == 409 and "phase" in error_of(too_soon)["fields"]
    not_image = client.post(f"{path}/photos/before", headers=admin,
                            files={"file": ("x.jpg", b"not a jpeg", "image/jpeg")})
    assert not_image.status_code == 422 and "file" in error_of(not_image)["fields"]
    assert client.post(f"{path}/photos/before", headers=resident, files={
        "file": ("b.jpg", shot, "image/jpeg")}).status_code == 403

    # pledges: residents for themselves, the admin a partner merchant's (公益)
    both = client.post(f"{path}/pledges", headers=resident, json={
        "donor_kind": "resident", "amount_yuan": 10, "in_kind": "花土"})
    assert both.status_code == 422 and "amount_yuan" in str(error_of(both)["fields"])
    as_merchant = client.post(f"{path}/pledges", headers=resident, json={
        "donor_kind": "merchant", "merchant_id": "shop-rn", "donor_name": "我", "amount_yuan": 1})
    assert as_merchant.status_code == 403 and "donor_kind" in error_of(as_merchant)["fields"]
    first = client.post(f"{path}/pledges", headers=resident, json={
        "donor_kind": "resident", "donor_name": "张三", "amount_yuan": 1000})
    assert first.status_code == 201, first.text
    assert (first.json()["state"], first.json()["pledged_yuan"]) == ("published", 1000)
    gift = client.post(f"{path}/pledges", headers=neighbour, json={
        "donor_kind": "resident", "donor_name": "李四", "show_name": True,
        "in_kind": "两袋花土"})
    assert gift.status_code == 201, gift.text
    too_early = client.post(f"{path}/milestones/0/done", headers=admin)
    assert too_early.status_code == 409 and error_of(too_early)["fields"] == {
        "project_id": "not funded"}
    funded = client.post(f"{path}/pledges", headers=admin, json={
        "donor_kind": "merchant", "merchant_id": "shop-rn", "donor_name": "好邻居超市",
        "amount_yuan": 2000})
    assert funded.status_code == 201, funded.text
    assert (funded.json()["state"], funded.json()["pledged_yuan"], funded.json()["pledges"]) \
        == ("funded", 3000, 3)

    # another community: not there, to see or to pledge or to photograph
    assert client.get(path, headers=outsider).status_code == 404
    assert client.get(f"{path}/pledges", headers=outsider).status_code == 404
    assert client.post(f"{path}/pledges", headers=outsider, json={
        "donor_kind": "resident", "amount_yuan": 5}).status_code == 404
    assert client.post(f"{path}/photos/before", headers=admin_b, files={
        "file": ("b.jpg", shot, "image/jpeg")}).status_code == 404
    assert client.post(f"{path}/pledges", headers=admin_b, json={
        "donor_kind": "resident", "amount_yuan": 5}).status_code == 404

    # the after photo once funded; residents see it once the renewal is done
    after = client.post(f"{path}/photos/after", headers=admin,
                        files={"file": ("after.jpg", shot, "image/jpeg")})
    assert after.status_code == 201 and len(after.json()["photos_after"]) == 1
    assert client.get(path, headers=resident).json()["photos_after"] == []
    hidden = after.json()["photos_after"][0]
    assert client.get(hidden, headers=resident).status_code == 404
    done = client.post(f"{path}/milestones/0/done", headers=admin)
    assert done.status_code == 200 and done.json()["state"] == "completed"

    shown = client.get(path, headers=resident).json()
    assert (shown["title"], shown["place"], shown["budget_yuan"], shown["pledged_yuan"],
            shown["state"]) == (topic["title"], "3 号楼 1 单元楼道", BUDGET, 3000, "completed")
    assert len(shown["photos_before"]) == 1 and shown["photos_after"] == [hidden]
    for link in (*shown["photos_before"], *shown["photos_after"]):
        image = client.get(link, headers=resident)
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        exif = Image.open(io.BytesIO(image.content)).getexif()
        assert GPS_IFD not in exif and len(exif) == 0
        assert client.get(link, headers=outsider).status_code == 404
    assert GPS_IFD in Image.open(io.BytesIO(shot)).getexif()

    # the donors, newest first, a page at a time; a resident's name masked unless shown
    page = client.get(f"{path}/pledges", headers=resident, params={"limit": 2}).json()
    assert [p["donor"] for p in page["items"]] == ["好邻居超市", "李四"] and page["next_cursor"]
    rest = client.get(f"{path}/pledges", headers=neighbour,
                      params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [(p["donor"], p["account_id"]) for p in rest["items"]] == [("张*", None)]
    assert rest["next_cursor"] is None
    own = client.get(f"{path}/pledges", headers=resident, params={"limit": 100}).json()
    assert [p["donor"] for p in own["items"]][-1] == "张三"  # to the donor themselves
    assert {p["merchant_id"] for p in own["items"]} == {"shop-rn", None}

    # the 五微 figures, moved by the project's own commits (folded, never counted)
    after_tally = Tally.figures(scope)
    assert after_tally.get("renewal_projects", 0) - before.get("renewal_projects", 0) == 1
    assert after_tally.get("renewal_published", 0) - before.get("renewal_published", 0) == 1
