"""Who sees which figures (service and gateway), leagues with their minimum sample and the
district's publications, early warning on a cluster, and the month's report in JSON, CSV,
HTML and charts. The month is fed to evaluation's live path in-process (cases.apply, the
same code its event handlers call) on the running container's database."""

from __future__ import annotations

import io
import uuid
from datetime import datetime

import pytest
from PIL import Image

from deploy.waits import wait_until
from services.common.caller import Caller
from services.common.contracts.evaluation import RatingIn
from services.common.errors import Forbidden, NotFound
from services.evaluation import cases, ratings
from services.evaluation.domain import LOCAL, Input
from services.evaluation.models import Publication, RatingPolicy
from services.evaluation.service import EvaluationService
from tests.platform import SYSTEM, error_of

H = 3600.0
# A month ahead of the wall clock: the running container's deadline timer (which fires by
# the wall clock) leaves its deadlines and rating windows alone.
NOV = datetime(2027, 4, 2, 9, 0, tzinfo=LOCAL).timestamp()
MONTH = "2027-04"
RANGE = {"start": "2027-04-01", "end": "2027-04-30"}


def _life(tenancy, where: str, grid: str, category: str, at: float, level: str | None,
          address: str | None = None) -> str:
    community = tenancy.communities[where]
    case_id = f"i-{uuid.uuid4().hex[:10]}"
    reporter = f"u-{case_id}"
    place = {"community_id": community["id"], "street_id": community["street_id"],
             "district_id": tenancy.district["id"], "grid_id": f"{grid}-{where}"}
    system = Caller.system()
    steps = [Input("received", at, {**place, "category": category, "reporter_id": reporter,
                                    "address": address}),
             Input("order", at + 60, {**place, "response_due": at + 2 * H,
                                      "resolution_due": at + 48 * H}),
             Input("acknowledged", at + 0.5 * H, {"responder_id": f"r-{where}"}),
             Input("resolved", at + 5 * H, {"window_days": 7})]
    for n, step in enumerate(steps):
        cases.apply(case_id, step, f"t:{case_id}:{n}", system,
                    create=step.kind in ("received", "order"))
    if level:
        ratings.rate(Caller(user_id=reporter, role="resident", district_id="-"), case_id,
                     RatingIn(level=level), now=at + 6 * H)
    return case_id


@pytest.fixture(scope="module")
def platform(module_platform):
    return module_platform


@pytest.fixture(scope="module")
def month(platform):
    client = platform.start(EvaluationService)
    tenancy = platform.tenancy()
    with platform.rpc() as rpc:
        tenancy.communities["A2"] = rpc.identity.create_community(
            SYSTEM, {"street_id": tenancy.streets["A"]["id"], "name": "Community A2"})
    assert wait_until(lambda: RatingPolicy.objects(
        id=tenancy.communities["A2"]["id"]).first() is not None, timeout=10, every=0.1)
    made: dict[str, list[str]] = {}
    # A: grid g1 busy and satisfied, g2 one unsatisfied rating (under a minimum of 2);
    # A2 and B: a few satisfied. Then a cluster of parking issues in A's g3 in one week.
    for day in range(0, 21, 3):
        at = NOV + day * 86400
        made.setdefault("A", []).append(_life(tenancy, "A", "g1", "noise", at, "satisfied"))
        made["A2"] = [*made.get("A2", []), _life(tenancy, "A2", "g1", "noise", at,
                                                   "basically_satisfied")]
        made["B"] = [*made.get("B", []), _life(tenancy, "B", "g1", "road", at, "satisfied")]
    _life(tenancy, "A", "g2", "noise", NOV + 86400, "unsatisfied")
    _life(tenancy, "A", "g3", "parking", NOV + 2 * 86400, None)
    cluster = [_life(tenancy, "A", "g3", "parking", NOV + (22 + k * 0.5) * 86400, None)
               for k in range(6)]
    # one place keeps reporting in A2, each time a different matter: a repeat address
    made["A2 address"] = [_life(tenancy, "A2", f"g{k}", category, NOV + (5 + 4 * k) * 86400,
                                None, address=address)
                          for k, (category, address) in enumerate([
                              ("noise", "东湖路 12 号"), ("water_pipe", "东湖路12号"),
                              ("lift", " 东湖路12号 ")])]
    return client, tenancy, made, cluster


def _figures(client, headers, unit: str, unit_id: str):
    return client.get("/evaluation/figures", headers=headers,
                      params={"unit": unit, "unit_id": unit_id, **RANGE})


@pytest.mark.timeout(300)  # several services in-process: slow on a loaded machine
def test_each_admin_sees_their_own_scope_and_peers_only_as_the_district_publishes(
        platform, month):
    client, tenancy, _, _ = month
    a, a2, b = (tenancy.communities[k]["id"] for k in ("A", "A2", "B"))
    street_a = tenancy.streets["A"]["id"]
    admin_a = platform.headers("community_admin", "A")
    street_admin = platform.headers("street_admin", "A")
    district = platform.headers("district_admin", "A")

    mine = _figures(client, admin_a, "community", a)
    assert mine.status_code == 200, mine.text
    assert mine.json()["rates"]["rated"] == 8 and mine.json()["rates"]["satisfied"] == 7
    for unit, unit_id in (("community", b), ("community", a2), ("street", street_a),
                          ("district", tenancy.district["id"])):
        refused = _figures(client, admin_a, unit, unit_id)
        assert refused.status_code == 404 and error_of(refused)["fields"] == {
            "unit_id": "unknown"}, (unit, unit_id)
    assert _figures(client, admin_a, "grid", "g1-A").status_code == 200
    assert _figures(client, admin_a, "grid", "g1-B").status_code == 404
    assert _figures(client, platform.headers("resident"), "community", a).status_code == 403

    assert _figures(client, street_admin, "community", a2).status_code == 200
    assert _figures(client, street_admin, "street", street_a).status_code == 200
    assert _figures(client, street_admin, "community", b).status_code == 404
    assert _figures(client, district, "community", b).status_code == 200

    # leagues: a community admin ranks their own grids, not their peers
    grids = client.get("/evaluation/rankings", headers=admin_a, params={
        "kind": "grid", "within": a, "min_sample": 2, **RANGE})
    assert grids.status_code == 200, grids.text
    rows = {r["unit_id"]: r for r in grids.json()["rows"]}
    assert rows["g1-A"]["rank"] == 1 and rows["g1-A"]["value"] == 1.0
    assert rows["g2-A"]["rank"] is None and "under the minimum of 2" in rows["g2-A"]["note"]
    peers = {"kind": "community", "within": street_a, "min_sample": 2, **RANGE}
    assert client.get("/evaluation/rankings", headers=admin_a,
                      params=peers).status_code == 404
    street_league = client.get("/evaluation/rankings", headers=street_admin, params=peers)
    assert street_league.status_code == 200
    # A2: 7 basically satisfied of 7 (100 %); A: 7 of 8
    assert [(r["unit_id"], r["rank"]) for r in street_league.json()["rows"]] == [(a2, 1), (a, 2)]
    assert client.get("/evaluation/rankings/published", headers=admin_a).json()["items"] == []
    assert client.post("/evaluation/rankings/publish", headers=street_admin,
                       params=peers).status_code == 403
    published = client.post("/evaluation/rankings/publish", headers=district, params={
        "kind": "community", "within": tenancy.district["id"], "min_sample": 2, **RANGE})
    assert published.status_code == 200, published.text
    seen = client.get("/evaluation/rankings/published", headers=admin_a).json()["items"]
    assert len(seen) == 1 and {r["unit_id"] for r in seen[0]["rows"]} == {a, a2, b}
    ranks = {r["unit_id"]: r["rank"] for r in seen[0]["rows"]}
    assert (ranks[b], ranks[a2], ranks[a]) == (1, 1, 3)  # a tie at 100 % shares rank 1
    assert "tied at 100.00%" in next(r["note"] for r in seen[0]["rows"] if r["unit_id"] == b)


    # the district withdraws it: gone from every admin's view, once; published again, back
    pub_id = published.json()["publication_id"]
    withdraw = f"/evaluation/rankings/published/{pub_id}/withdraw"
    for who in (admin_a, street_admin):
        assert client.post(withdraw, headers=who).status_code == 403
    assert client.post("/evaluation/rankings/published/pub-made-up/withdraw",
                       headers=district).status_code == 404
    gone = client.post(withdraw, headers=district)
    assert gone.status_code == 200 and gone.json()["withdrawn_at"] is not None, gone.text
    for who in (admin_a, street_admin, district):
        assert client.get("/evaluation/rankings/published", headers=who).json()["items"] == []
    again = client.post(withdraw, headers=district)
    assert again.status_code == 409 and error_of(again)["fields"] == {
        "publication_id": "already withdrawn"}
    assert Publication.objects(id=pub_id).get().withdrawn
    # another district's admin: the 404 of a made-up id
    with platform.rpc() as rpc, pytest.raises(NotFound):
        rpc.evaluation.withdraw_league({"user_id": "d", "role": "district_admin",
                                        "district_id": "d-elsewhere"}, pub_id)
    republished = client.post("/evaluation/rankings/publish", headers=district, params={
        "kind": "community", "within": tenancy.district["id"], "min_sample": 2, **RANGE})
    assert republished.json()["publication_id"] == pub_id
    (shown,) = client.get("/evaluation/rankings/published", headers=admin_a).json()["items"]
    assert shown["publication_id"] == pub_id and shown["withdrawn_at"] is None


@pytest.mark.timeout(300)  # several services in-process: slow on a loaded machine
def test_a_cluster_raises_one_alert_with_its_issues_and_flat_grids_stay_quiet(platform, month):
    client, tenancy, made, cluster = month
    a, b = tenancy.communities["A"]["id"], tenancy.communities["B"]["id"]
    got = client.get("/evaluation/alerts", headers=platform.headers("community_admin", "A"),
                     params={"community_id": a})
    assert got.status_code == 200, got.text
    (alert,) = got.json()["items"]
    assert (alert["grid_id"], alert["category"]) == ("g3-A", "parking")
    assert alert["recent"] >= 5 and set(cluster[:5]) <= set(alert["issue_ids"])
    assert client.get("/evaluation/alerts", headers=platform.headers("street_admin", "A"),
                      params={"community_id": a}).json()["items"][0]["id"] == alert["id"]
    assert client.get("/evaluation/alerts", headers=platform.headers("community_admin", "B"),
                      params={"community_id": a}).status_code == 404
    assert client.get("/evaluation/alerts", headers=platform.headers("community_admin", "B"),
                      params={"community_id": b}).json()["items"] == []
    a2 = tenancy.communities["A2"]["id"]
    (repeat,) = client.get("/evaluation/alerts", headers=platform.headers("street_admin", "A"),
                           params={"community_id": a2}).json()["items"]
    assert repeat["category"] == "repeat_address" and repeat["recent"] == 3
    assert set(repeat["issue_ids"]) == set(made["A2 address"])


@pytest.mark.timeout(300)  # several services in-process: slow on a loaded machine
def test_the_months_report_as_json_csv_html_and_charts(platform, month):
    client, tenancy, _, _ = month
    a = tenancy.communities["A"]["id"]
    admin = platform.headers("community_admin", "A")
    base = f"/evaluation/reports/community/{a}/{MONTH}"
    report = client.get(base, headers=admin)
    assert report.status_code == 200, report.text
    body = report.json()
    assert len(body["days"]) == 30 and body["rates"]["rated"] == 8
    assert body["top_topics"][0] == ["noise", 8]
    csv_text = client.get(f"{base}/export", headers=admin, params={"fmt": "csv"})
    assert csv_text.status_code == 200 and csv_text.headers["content-type"].startswith("text/csv")
    lines = csv_text.text.strip().splitlines()
    assert len(lines) == 31 and lines[0].startswith("day,response_rate")
    page = client.get(f"{base}/export", headers=admin, params={"fmt": "html"})
    assert page.status_code == 200 and "满意率" in page.text and page.text.count("<svg") == 3
    png = client.get(f"{base}/charts/ranking.png", headers=admin)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.size[0] == 800
    ranked = [r for r in body["league"]["rows"] if r["rank"] is not None]
    assert len(ranked) >= 1
    svg = client.get(f"{base}/charts/trend.svg", headers=admin)
    assert svg.status_code == 200 and "<svg" in svg.text
    assert client.get(f"/evaluation/reports/community/{tenancy.communities['B']['id']}/{MONTH}",
                      headers=admin).status_code == 404
    assert client.get(f"{base[:-8]}/2026-13", headers=admin).status_code == 422


@pytest.mark.timeout(120)
def test_three_routes_are_stored_per_community_and_year_for_its_admins_only(platform, month):
    client, tenancy, _, _ = month
    a, b = tenancy.communities["A"]["id"], tenancy.communities["B"]["id"]
    admin_a = platform.headers("community_admin", "A")
    admin_b = platform.headers("community_admin", "B")
    path = f"/evaluation/communities/{a}/three-routes"
    weights = client.put(f"/evaluation/policy/{a}/three-route-weights", headers=admin_a,
                         json={"weights": {"online": 0.5, "meeting": 0.3, "board": 0.2}})
    assert weights.status_code == 200, weights.text
    assert weights.json()["three_route_weights"] == {"online": 0.5, "meeting": 0.3, "board": 0.2}

    recorded = client.put(f"{path}/2026", headers=admin_a, json={
        "scores": {"online": 90, "meeting": 80, "board": 70}, "note": "公示栏 3 月"})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["combined"] == 83.0  # 0.5·90 + 0.3·80 + 0.2·70
    # a route without a score: its weight spread over the others, never a zero
    partial = client.put(f"{path}/2025", headers=admin_a, json={"scores": {"online": 90,
                                                                          "board": 60}})
    assert partial.json()["combined"] == 81.43 and partial.json()["missing"] == ["meeting"]
    # the weights of the day stay with a recorded year
    assert client.put(f"/evaluation/policy/{a}/three-route-weights", headers=admin_a, json={
        "weights": {"online": 1.0}}).status_code == 200
    for who in (admin_a, platform.headers("street_admin", "A"),
                platform.headers("district_admin", "A")):
        read = client.get(f"{path}/2026", headers=who)
        assert read.status_code == 200, read.text
        assert (read.json()["combined"], read.json()["weights"]["online"]) == (83.0, 0.5)

    # another community's admin, and the street beside: the 404 of a made-up community
    for who in (admin_b, platform.headers("street_admin", "B")):
        for answer in (client.get(f"{path}/2026", headers=who),
                       client.put(f"{path}/2026", headers=who, json={"scores": {"online": 1}}),
                       client.put(f"/evaluation/policy/{a}/three-route-weights", headers=who,
                                  json={"weights": {"online": 1.0}}),
                       client.get("/evaluation/communities/made-up/three-routes/2026",
                                  headers=who)):
            assert answer.status_code == 404 and error_of(answer)["fields"] == {
                "community_id": "unknown"}, answer.text
    assert client.get(f"{path}/2026", headers=platform.headers("resident", "A")
                      ).status_code == 403
    assert client.get(f"/evaluation/communities/{b}/three-routes/2026", headers=admin_b
                      ).status_code == 404  # not recorded: the year is unknown
    bad = client.put(f"/evaluation/policy/{a}/three-route-weights", headers=admin_a,
                     json={"weights": {"online": 0.5}})
    assert bad.status_code == 422 and "weights" in error_of(bad)["fields"]
    assert client.put(f"{path}/2026", headers=admin_a, json={
        "scores": {"online": 101}}).status_code == 422
    assert client.get(f"{path}/1999", headers=admin_a).status_code == 422
    with platform.rpc() as rpc:  # the service checks it too, whatever the gateway let by
        with pytest.raises(NotFound):
            rpc.evaluation.three_routes(_caller(platform.user("community_admin", "B")), a, 2026)
        with pytest.raises(Forbidden):
            rpc.evaluation.record_three_routes(
                {"user_id": "u", "role": "resident", "district_id": tenancy.district["id"],
                 "community_id": a}, a, 2026, {"scores": {"online": 1}})


def _caller(user: dict) -> dict:
    return {"user_id": user["id"], "role": user["role"], "district_id": user["district_id"],
            **{k: user[k] for k in ("street_id", "community_id") if user.get(k)}}


@pytest.mark.timeout(120)
def test_a_community_evaluation_has_not_heard_of_reads_the_defaults_and_the_system_sets_it(
        platform, month):
    _, tenancy, _, _ = month
    district = tenancy.district["id"]
    fresh = f"c-{uuid.uuid4().hex[:8]}"  # identity's community.created still on its way
    own = {"user_id": "adm", "role": "community_admin", "district_id": district,
           "community_id": fresh}
    with platform.rpc() as rpc:
        got = rpc.evaluation.get_policy(own, fresh)
        assert (got["window_days"], got["three_route_weights"]) == (
            7, {"online": 0.4, "meeting": 0.4, "board": 0.2})
        assert RatingPolicy.objects(id=fresh).first() is None  # a read writes nothing
        assert rpc.evaluation.get_policy(SYSTEM, fresh)["window_days"] == 7
        other = own | {"community_id": tenancy.communities["A"]["id"]}
        with pytest.raises(NotFound):
            rpc.evaluation.get_policy(other, fresh)
        with pytest.raises(NotFound):  # a street admin cannot tell it is theirs yet
            rpc.evaluation.get_policy({"user_id": "s", "role": "street_admin",
                                       "district_id": district,
                                       "street_id": tenancy.streets["A"]["id"]}, fresh)
        assert rpc.evaluation.set_policy(SYSTEM, fresh, {"window_days": 10})["window_days"] == 10
        assert rpc.evaluation.get_policy(own, fresh)["window_days"] == 10
        made = rpc.evaluation.record_three_routes(SYSTEM, fresh, 2026, {"scores": {"board": 70}})
        assert made["combined"] == 70.0 and made["recorded_by"] == "system"
