"""From an empty store, through the documented commands: `python -m deploy.bootstrap`, a
sign-in as the new district admin through the gateway, `python -m deploy.district_import`
(a dry run naming every bad row, then the import), each run twice to show it idempotent."""

from __future__ import annotations

import csv
import uuid

from deploy import bootstrap, district_import
from tests.platform import SYSTEM

COMMUNITIES = "street,community\n东湖街道,东湖一社区\n东湖街道,东湖二社区\n西山街道,西山一社区\n"
USERS = ("username,role,display_name,phone,street,community\n"
         "{p}_sec,community_admin,社区书记,13800000001,东湖街道,东湖一社区\n"
         "{p}_res,resident,居民 王芳,,东湖街道,东湖一社区\n"
         "{p}_street,street_admin,街道管理员,,西山街道,\n")
BAD_USERS = ("username,role,display_name,phone,street,community\n"
             "{p}_ok,resident,居民,,东湖街道,东湖一社区\n"
             "a,resident,短名,,东湖街道,东湖一社区\n"  # username too short
             "{p}_r2,mayor,市长,,东湖街道,东湖一社区\n"  # no such role
             "{p}_r3,resident,居民,,东湖街道,东湖九社区\n"  # no such community
             "{p}_r4,resident,居民,12ab,东湖街道,东湖一社区\n"  # bad phone
             "{p}_r5,resident,居民,,,\n"  # a resident needs a community
             "{p}_ok,resident,居民,,东湖街道,东湖一社区\n")  # repeats row 1


def test_bootstrap_sign_in_and_import_from_an_empty_store(platform, tmp_path, capsys):
    client = platform.start()
    broker = platform.config["AMQP_URI"]
    code = f"b{uuid.uuid4().hex[:8]}"
    prefix = code
    password_file = tmp_path / "admin.pw"
    password_file.write_text("first-admin-pw-1\n")
    args = ["--district-code", code, "--district-name", "西湖区", "--street", "东湖街道",
            "--street", "西山街道", "--admin-username", f"{prefix}_admin",
            "--admin-name", "区管理员", "--admin-phone", "13800000000",
            "--password-file", str(password_file), "--broker", broker]
    lines: list[str] = []

    assert bootstrap.main(args, say=lines.append) == 0
    assert lines[-1] == "done" and f"created   district admin {prefix}_admin" in lines
    lines.clear()
    assert bootstrap.main(args, say=lines.append) == 0  # a second run changes nothing
    assert lines[-1].startswith("nothing changed")
    assert all(line.startswith("exists") for line in lines[:-1]) and len(lines) == 5

    login = client.post("/auth/login", json={"username": f"{prefix}_admin",
                                             "password": "first-admin-pw-1"})
    assert login.status_code == 200, login.text
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = client.get("/auth/me", headers=admin)
    assert me.status_code == 200 and me.json()["role"] == "district_admin"

    communities = tmp_path / "communities.csv"
    communities.write_text(COMMUNITIES)
    users = tmp_path / "users.csv"
    users.write_text(USERS.format(p=prefix))
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_USERS.format(p=prefix))
    common = ["--district", code, "--communities", str(communities), "--broker", broker]

    capsys.readouterr()
    assert district_import.main([*common, "--users", str(bad), "--dry-run"]) == 1
    reported = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in reported[:-1]] == [
        f"bad.csv row {n}" for n in (2, 3, 4, 5, 6, 7)]
    assert [line.split(": ")[1] for line in reported[:-1]] == [
        "username", "role", "community", "phone", "community", "username"]
    assert reported[-1] == "6 problems; nothing imported"

    lines.clear()
    assert district_import.main([*common, "--users", str(users), "--dry-run"],
                                say=lines.append) == 0
    assert lines == ["dry run: 3 communities (3 new) and 3 users valid; nothing imported"]
    with platform.rpc() as rpc:
        district = rpc.identity.find_district(SYSTEM, code)
        assert [u for u in rpc.identity.list_units(SYSTEM | {"district_id": district["id"]})
                if u["level"] == "community"] == []  # the dry run wrote nothing

    out = tmp_path / "passwords.csv"
    lines.clear()
    assert district_import.main([*common, "--users", str(users), "--passwords-out", str(out)],
                                say=lines.append) == 0
    assert lines[-1] == "communities: 3 created, 0 existed; users: 3 created, 0 existed"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    first = dict(csv.reader(out.open()))
    assert set(first) == {"username", f"{prefix}_sec", f"{prefix}_res", f"{prefix}_street"}

    lines.clear()  # applying again: nothing changes, no password file needed to exist anew
    assert district_import.main([*common, "--users", str(users),
                                 "--passwords-out", str(tmp_path / "again.csv")],
                                say=lines.append) == 0
    assert lines == ["communities: 0 created, 3 existed; users: 0 created, 3 existed",
                     "nothing changed: everything already existed"]
    assert not (tmp_path / "again.csv").exists()

    # The imported community admin signs in with the first password and sees the tree.
    login = client.post("/auth/login", json={"username": f"{prefix}_sec",
                                             "password": first[f"{prefix}_sec"]})
    assert login.status_code == 200, login.text
    units = client.get("/registry/units", headers=admin)
    assert units.status_code == 200, units.text
    assert sorted(u["name"] for u in units.json() if u["level"] == "community") == [
        "东湖一社区", "东湖二社区", "西山一社区"]


def test_bootstrap_refuses_a_username_of_another_account(platform, tmp_path, capsys):
    platform.start()
    broker = platform.config["AMQP_URI"]
    taken = platform.user("resident", "A")["username"]
    env_file = tmp_path / "pw"
    env_file.write_text("some-other-pw-1")
    code = f"b{uuid.uuid4().hex[:8]}"
    assert bootstrap.main(["--district-code", code, "--district-name", "区",
                           "--admin-username", taken, "--admin-name", "x",
                           "--password-file", str(env_file), "--broker", broker],
                          say=lambda _: None) == 1
    assert "belongs to another account" in capsys.readouterr().err


def test_bootstrap_needs_a_password(monkeypatch, capsys):
    monkeypatch.delenv(bootstrap.PASSWORD_ENV, raising=False)
    with open("/dev/null") as not_a_terminal:  # no prompt
        monkeypatch.setattr("sys.stdin", not_a_terminal)
        assert bootstrap.main(["--district-code", "xx", "--district-name", "x",
                               "--admin-username", "adm", "--admin-name", "x"]) == 2
    assert "no password" in capsys.readouterr().err
