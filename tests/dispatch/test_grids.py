"""The grid registry: import with every bad row reported, export, resolution for intake."""

from __future__ import annotations

import json
import subprocess
import sys

from services.dispatch.service import DispatchService
from tests.dispatch.helpers import TREE, grid_tree

GOOD_CSV = """code,name,level,parent_code,worker_id,party_branch,polygon,addresses
L1,一级网格,1,,,社区党委,,
N,北区,2,L1,u-gw-n,北区党支部,"[[116,39],[116.1,39],[116.1,39.1]]",
N1,北一网格,3,N,,,,东湖路
"""
BAD_CSV = """code,name,level,parent_code,worker_id,party_branch,polygon,addresses
L1,一级网格,1,,,,,
N,,2,L1,,,,
N1,北一网格,4,N,,,,
N2,北二网格,3,NOPE,,,,
N3,北三网格,3,N,,,"[[200,39],[116,39],[116,40]]",
N,北区重复,2,L1,,,,
"""


def _upload(client, headers, community_id, text, dry_run, name="grids.csv"):
    return client.post(f"/grids/import?community_id={community_id}&dry_run={dry_run}",
                       headers=headers, files={"file": (name, text.encode(), "text/csv")})


def test_a_csv_with_bad_rows_reports_each_one_and_imports_nothing(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    community_id = platform.community_id("A")
    for dry_run in ("true", "false"):
        response = _upload(client, admin, community_id, BAD_CSV, dry_run)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["valid"] is False and report["imported"] == 0
        assert [(e["row"], e["field"]) for e in report["errors"]] == [
            (2, "name"), (3, "level"), (4, "parent_code"), (5, "polygon"), (6, "code")]
        assert "unknown parent" in report["errors"][2]["reason"]
    listed = client.get(f"/grids?community_id={community_id}", headers=admin).json()
    assert [g["code"] for g in listed] == ["root"]


def test_a_valid_csv_dry_run_imports_nothing_and_the_real_run_builds_the_tree(platform):
    client = platform.start(DispatchService)
    admin = platform.headers("community_admin")
    community_id = platform.community_id("A")
    dry = _upload(client, admin, community_id, GOOD_CSV, "true").json()
    assert (dry["valid"], dry["imported"], dry["rows"]) == (True, 0, 3)
    assert len(client.get(f"/grids?community_id={community_id}", headers=admin).json()) == 1
    real = _upload(client, admin, community_id, GOOD_CSV, "false").json()
    assert (real["valid"], real["imported"]) == (True, 3)
    grids = client.get(f"/grids?community_id={community_id}", headers=admin).json()
    assert [(g["code"], g["level"]) for g in grids] == [("L1", "1"), ("N", "2"), ("N1", "3")]
    assert grids[1]["worker_id"] == "u-gw-n" and grids[0]["party_branch"] == "社区党委"
    exported = client.get(f"/grids/export?community_id={community_id}", headers=admin)
    assert exported.status_code == 200 and exported.text.splitlines()[2].startswith("N,北区,2,L1")
    geo = client.get(f"/grids/export?community_id={community_id}&format=geojson", headers=admin)
    features = json.loads(geo.text)["features"]
    assert features[1]["geometry"]["type"] == "Polygon"
    # A GeoJSON export imports back unchanged (a round trip).
    again = _upload(client, admin, community_id, geo.text, "false", name="grids.geojson")
    assert again.json()["valid"] is True, again.json()


def test_a_resident_or_other_community_cannot_import(platform):
    client = platform.start(DispatchService)
    community_id = platform.community_id("A")
    resident = platform.headers("resident")
    assert _upload(client, resident, community_id, GOOD_CSV, "false").status_code == 403
    admin_b = platform.headers("community_admin", "B")
    assert _upload(client, admin_b, community_id, GOOD_CSV, "false").status_code == 404


def test_points_and_addresses_resolve_to_the_deepest_grid(platform):
    client = platform.start(DispatchService)
    ids = grid_tree(platform)
    community_id = platform.community_id("A")
    admin = platform.headers("community_admin")

    def resolve(**location) -> dict:
        response = client.post(f"/grids/resolve?community_id={community_id}", headers=admin,
                               json=location)
        assert response.status_code == 200, response.text
        return response.json()

    assert resolve(lat=39.02, lng=116.02) == {"grid_id": ids["W1"], "inside": True}
    assert resolve(lat=39.07, lng=116.02) == {"grid_id": ids["W2"], "inside": True}
    assert resolve(lat=39.05, lng=116.08) == {"grid_id": ids["E"], "inside": True}
    assert resolve(lat=40.5, lng=117.0) == {"grid_id": None, "inside": False}
    assert resolve(address="东湖街道阳光小区1号楼3单元")["grid_id"] == ids["B1"]
    assert resolve(address="阳光小区南门")["grid_id"] == ids["C1"]
    assert resolve(address="别处")["grid_id"] == ids["L1"]
    bad = client.post(f"/grids/resolve?community_id={community_id}", headers=admin,
                      json={"lat": 99})
    assert bad.status_code == 422


def test_the_cli_dry_run_reports_bad_rows_and_imports_nothing(platform, tmp_path):
    client = platform.start(DispatchService)
    community_id = platform.community_id("A")
    grid_tree(platform)  # the community exists in dispatch (the CLI acts as the system)
    admin = platform.headers("community_admin")
    before = client.get(f"/grids?community_id={community_id}", headers=admin).json()
    path = tmp_path / "grids.csv"

    def cli(text: str, *flags: str) -> subprocess.CompletedProcess:
        path.write_text(text, encoding="utf-8")
        return subprocess.run(
            [sys.executable, "-m", "services.dispatch.grid_import", str(path), "--community",
             community_id, "--broker", platform.config["AMQP_URI"], *flags],
            capture_output=True, text=True, timeout=60)

    for flags in (("--dry-run",), ()):
        run = cli(BAD_CSV, *flags)
        assert run.returncode == 1, run.stderr
        assert "row 2: name:" in run.stderr and "row 6: code: duplicate" in run.stderr
        assert "5 problems; nothing imported" in run.stderr
    assert client.get(f"/grids?community_id={community_id}", headers=admin).json() == before
    run = cli(GOOD_CSV)
    assert run.returncode == 0, run.stderr
    assert "imported 3 rows" in run.stdout and "importing: 100%" in run.stderr  # progress bar
    after = client.get(f"/grids?community_id={community_id}", headers=admin).json()
    assert len(after) == len(TREE) + 2  # N and N1 added, L1 updated in place
