"""The import's check of every row, pure: each bad row named by file, row, field, reason."""

from __future__ import annotations

from deploy.district_import import COMMUNITY_COLUMNS, USER_COLUMNS, plan, read_csv

UNITS = [{"id": "s-1", "name": "东湖街道", "level": "street", "district_id": "d-1",
          "street_id": "s-1"},
         {"id": "c-1", "name": "东湖一社区", "level": "community", "district_id": "d-1",
          "street_id": "s-1"}]
DISTRICT = {"id": "d-1", "name": "区", "level": "district", "district_id": "d-1"}


def _errors(communities: str = "street,community\n", users: str = "username,role,display_name\n"):
    c, bad_c = read_csv(communities, "c.csv", COMMUNITY_COLUMNS, COMMUNITY_COLUMNS)
    u, bad_u = read_csv(users, "u.csv", USER_COLUMNS, ("username", "role", "display_name"))
    checked = plan(UNITS, DISTRICT, c, u, "c.csv", "u.csv")
    return [str(e) for e in bad_c + bad_u + checked.errors], checked


def test_every_bad_community_row_is_named():
    errors, checked = _errors("street,community\n东湖街道,东湖一社区\n西湖街道,新社区\n"
                              "东湖街道,\n东湖街道,东湖三社区\n东湖街道,东湖三社区\n")
    assert errors == [
        "c.csv row 2: street: no street '西湖街道' in the district "
        "(deploy.bootstrap --street adds it)",
        "c.csv row 3: community: String should have at least 1 character",
        "c.csv row 5: community: repeats row 4"]
    # the existing community is valid (left as it is), the new one counted as new
    assert [row for row, _, _ in checked.communities] == [1, 4] and checked.new_communities == 1


def test_columns_are_checked_before_the_rows():
    errors, _ = _errors("street,name\n", "username,role,display_name,email\n")
    assert errors == ["c.csv row 0: name: unknown column", "c.csv row 0: community: missing column",
                      "u.csv row 0: email: unknown column"]


def test_a_user_may_name_a_community_of_the_same_file():
    errors, checked = _errors(
        "street,community\n东湖街道,东湖二社区\n",
        "username,role,display_name,street,community,department_id\n"
        "sec2,community_admin,书记,东湖街道,东湖二社区,\n"
        "dept,department,城管,东湖街道,东湖一社区,\n"
        "boss,district_admin,区管理员,,,\n")
    assert errors == ["u.csv row 2: department_id: required for role department"]
    assert [row for row, _ in checked.users] == [1, 3]
