"""Import a district's communities and users from CSV, with a dry run that reports every bad row.

    python -m deploy.district_import --district xh --communities communities.csv \\
        --users users.csv --passwords-out first-passwords.csv [--dry-run]

communities.csv: `street,community` (the street made by deploy.bootstrap --street).
users.csv: `username,role,display_name,phone,street,community,grid_id,department_id,
merchant_id,password`; only username, role and display_name are always needed, the
placement the role needs (a community for community roles, a street for a street admin)
by name. An empty password gets a random one, written with the username to
--passwords-out (a new file, readable by its owner alone) to hand out.

Every row of both files is checked first, in one pass; each bad row is printed with its
file, row number, field and reason, and then nothing is imported (--dry-run stops there
in any case). Applying is idempotent: a community or username that exists is left as it
is and counted as existing, so a second run changes nothing. Like the grid import it
talks to identity over the broker as the system (LINLI_AMQP_URI or --broker).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import secrets
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from services.common.caller import Caller, Role
from services.common.contracts.identity import CommunityIn, UserIn

SYSTEM = Caller.system().model_dump(mode="json")
COMMUNITY_COLUMNS = ("street", "community")
USER_COLUMNS = ("username", "role", "display_name", "phone", "street", "community", "grid_id",
                "department_id", "merchant_id", "password")
REQUIRED_USER_COLUMNS = ("username", "role", "display_name")
PLACEHOLDER_ID = "x-placeholder"  # stands for a unit resolved at apply time, in validation
PLACEHOLDER_PASSWORD = "x" * 12
# UserIn's fields, named as the CSV names them.
FIELD_OF = {"street_id": "street", "community_id": "community", "district_id": "street"}


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # 1 is the first row after the header
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file} row {self.row}: {self.field}: {self.reason}"


@dataclass
class Plan:
    """What a valid pair of files amounts to."""

    district: dict[str, Any]
    communities: list[tuple[int, str, str]] = field(default_factory=list)  # row, street, name
    users: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_communities: int = 0


@dataclass
class Report:
    created_communities: int = 0
    existing_communities: int = 0
    created_users: int = 0
    existing_users: int = 0
    passwords: list[tuple[str, str]] = field(default_factory=list)  # generated, by username
    errors: list[RowError] = field(default_factory=list)


def read_csv(text: str, name: str, columns: tuple[str, ...],
             required: tuple[str, ...]) -> tuple[list[dict[str, str]], list[RowError]]:
    """The rows (stripped; unknown or missing columns refused as row 0 of the file)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    errors = [RowError(name, 0, h, "unknown column") for h in header if h not in columns]
    errors += [RowError(name, 0, c, "missing column") for c in required if c not in header]
    rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items() if k}
            for r in reader]
    return rows, errors


def plan(units: list[dict[str, Any]], district: dict[str, Any],
         community_rows: list[dict[str, str]], user_rows: list[dict[str, str]],
         communities_file: str = "communities.csv", users_file: str = "users.csv") -> Plan:
    """Check every row against the district's existing units and each other (pure)."""
    out = Plan(district=district)
    streets = {u["name"]: u for u in units if u["level"] == "street"}
    by_id = {s["id"]: name for name, s in streets.items()}
    existing = {(by_id.get(u["street_id"] or ""), u["name"])
                for u in units if u["level"] == "community"}
    seen: dict[tuple[str, str], int] = {}
    for n, row in enumerate(community_rows, start=1):
        street, name = row.get("street", ""), row.get("community", "")
        errors = []
        if not street:
            errors.append(RowError(communities_file, n, "street", "required"))
        elif street not in streets:
            errors.append(RowError(communities_file, n, "street",
                                   f"no street {street!r} in the district "
                                   "(deploy.bootstrap --street adds it)"))
        errors += _model_errors(communities_file, n, CommunityIn,
                                {"street_id": PLACEHOLDER_ID, "name": name},
                                {"name": "community"})
        if (street, name) in seen:
            errors.append(RowError(communities_file, n, "community",
                                   f"repeats row {seen[(street, name)]}"))
        out.errors += errors
        if not errors:
            seen[(street, name)] = n
            out.communities.append((n, street, name))
            out.new_communities += (street, name) not in existing
    known = existing | set(seen)
    usernames: dict[str, int] = {}
    for n, row in enumerate(user_rows, start=1):
        errors = _user_errors(users_file, n, row, streets, known)
        username = row.get("username", "")
        if username and username in usernames:
            errors.append(RowError(users_file, n, "username", f"repeats row {usernames[username]}"))
        out.errors += errors
        if not errors:
            usernames[username] = n
            out.users.append((n, row))
    return out


def _user_errors(name: str, n: int, row: dict[str, str], streets: dict[str, Any],
                 known: set[tuple[str, str]]) -> list[RowError]:
    errors = []
    role = row.get("role", "")
    if role == Role.system.value or role not in {r.value for r in Role}:
        return [RowError(name, n, "role", f"unknown role {role!r}" if role else "required")]
    street, community = row.get("street", ""), row.get("community", "")
    if community and not street:
        errors.append(RowError(name, n, "street", "required with a community"))
    elif street and street not in streets:
        errors.append(RowError(name, n, "street", f"no street {street!r} in the district"))
    elif community and (street, community) not in known:
        errors.append(RowError(name, n, "community",
                               f"no community {community!r} in street {street!r} "
                               "(in the district or the communities file)"))
    candidate = {"username": row.get("username", ""), "role": role,
                 "display_name": row.get("display_name", ""),
                 "password": row.get("password") or PLACEHOLDER_PASSWORD,
                 "street_id": PLACEHOLDER_ID if street else None,
                 "community_id": PLACEHOLDER_ID if community else None,
                 **{k: row.get(k) or None for k in ("phone", "grid_id", "department_id",
                                                     "merchant_id")}}
    errors += _model_errors(name, n, UserIn, candidate, FIELD_OF)
    return errors


def _model_errors(name: str, n: int, model: type, data: dict[str, Any],
                  rename: dict[str, str]) -> list[RowError]:
    """The contract's own checks, each error named by its CSV column."""
    try:
        model.model_validate(data)
        return []
    except ValidationError as exc:
        out = []
        for error in exc.errors():
            loc = str(error["loc"][0]) if error["loc"] else ""
            reason = error["msg"].removeprefix("Value error, ")
            if not loc and ": " in reason:  # a model check: "community_id: required ..."
                loc, reason = reason.split(": ", 1)
            out.append(RowError(name, n, rename.get(loc, loc or "row"), reason))
        return out


def apply(rpc: Any, district: dict[str, Any], valid: Plan,
          users_file: str = "users.csv") -> Report:
    """Create what is missing; what exists stays (idempotent)."""
    from services.common.errors import AlreadyExists, DomainError

    report = Report()
    here = SYSTEM | {"district_id": district["id"]}
    units = rpc.identity.list_units(here)
    streets = {u["name"]: u["id"] for u in units if u["level"] == "street"}
    for _, street, name in valid.communities:
        try:
            rpc.identity.create_community(here, {"street_id": streets[street], "name": name})
            report.created_communities += 1
        except AlreadyExists:
            report.existing_communities += 1
    units = rpc.identity.list_units(here)
    names = {u["id"]: u["name"] for u in units if u["level"] == "street"}
    community_ids = {(names.get(u["street_id"]), u["name"]): u["id"]
                     for u in units if u["level"] == "community"}
    for n, row in valid.users:
        password = row.get("password") or secrets.token_urlsafe(12)
        data: dict[str, Any] = {"username": row["username"], "role": row["role"],
                                "display_name": row["display_name"], "password": password,
                                "district_id": district["id"]}
        if row.get("community"):
            data["community_id"] = community_ids[(row["street"], row["community"])]
        elif row.get("street"):
            data["street_id"] = streets[row["street"]]
        data |= {k: row[k] for k in ("phone", "grid_id", "department_id", "merchant_id")
                 if row.get(k)}
        try:
            rpc.identity.create_user(SYSTEM, data)
        except AlreadyExists:
            report.existing_users += 1
            continue
        except DomainError as exc:  # known only to identity (a grid): this row, not the rest
            fields = exc.args[1] if len(exc.args) > 1 and exc.args[1] else {"row": exc.args[0]}
            report.errors += [RowError(users_file, n, f, r) for f, r in fields.items()]
            continue
        report.created_users += 1
        if not row.get("password"):
            report.passwords.append((row["username"], password))
    return report


def write_passwords(path: Path, passwords: list[tuple[str, str]]) -> None:
    """A new file only its owner reads (never overwrites a file handed out before)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["username", "password"])
        writer.writerows(passwords)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m deploy.district_import",
                                description=__doc__.splitlines()[0])
    p.add_argument("--district", required=True, help="the district code (deploy.bootstrap)")
    p.add_argument("--communities", help="CSV: street,community")
    p.add_argument("--users", help="CSV: username,role,display_name,... (see above)")
    p.add_argument("--passwords-out",
                   help="new CSV file for the generated passwords (needed if any is empty)")
    p.add_argument("--dry-run", action="store_true", help="validate only")
    p.add_argument("--broker", help="AMQP URI (default: LINLI_AMQP_URI)")
    return p


def main(argv: list[str] | None = None, say: Callable[[str], None] = print) -> int:
    args = parser().parse_args(argv)
    if not (args.communities or args.users):
        print("district_import: nothing to import (--communities and/or --users)",
              file=sys.stderr)
        return 2
    with warnings.catch_warnings():  # eventlet's deprecation notice, printed on import
        warnings.simplefilter("ignore")
        from nameko.standalone.rpc import ClusterRpcProxy

    from services.common.config import Settings

    files: dict[str, list[dict[str, str]]] = {"communities": [], "users": []}
    names = {"communities": Path(args.communities or "communities.csv").name,
             "users": Path(args.users or "users.csv").name}
    errors: list[RowError] = []
    for kind, path, columns, required in (
            ("communities", args.communities, COMMUNITY_COLUMNS, COMMUNITY_COLUMNS),
            ("users", args.users, USER_COLUMNS, REQUIRED_USER_COLUMNS)):
        if path:
            try:
                text = Path(path).read_text(encoding="utf-8-sig")
            except OSError as exc:
                print(f"cannot read {path}: {exc}", file=sys.stderr)
                return 2
            files[kind], bad = read_csv(text, names[kind], columns, required)
            errors += bad
    needs_passwords = any(not r.get("password") for r in files["users"])
    if needs_passwords and not args.dry_run and not args.passwords_out:
        print("district_import: --passwords-out is needed for the rows without a password",
              file=sys.stderr)
        return 2
    if args.passwords_out and not args.dry_run and Path(args.passwords_out).exists():
        print(f"district_import: {args.passwords_out} exists; name a new file", file=sys.stderr)
        return 2
    broker = args.broker or Settings().amqp_uri
    with ClusterRpcProxy({"AMQP_URI": broker}, timeout=60) as rpc:
        district = rpc.identity.find_district(SYSTEM, args.district)
        if district is None:
            print(f"district_import: no district {args.district!r} (deploy.bootstrap makes it)",
                  file=sys.stderr)
            return 1
        units = rpc.identity.list_units(SYSTEM | {"district_id": district["id"]})
        checked = plan(units, district, files["communities"], files["users"],
                       names["communities"], names["users"])
        errors += checked.errors
        if errors:
            for error in errors:
                print(error, file=sys.stderr)
            print(f"{len(errors)} problems; nothing imported", file=sys.stderr)
            return 1
        if args.dry_run:
            say(f"dry run: {len(checked.communities)} communities "
                f"({checked.new_communities} new) and {len(checked.users)} users valid; "
                "nothing imported")
            return 0
        report = apply(rpc, district, checked, names["users"])
    if report.passwords:
        write_passwords(Path(args.passwords_out), report.passwords)
        say(f"wrote {len(report.passwords)} first passwords to {args.passwords_out}")
    say(f"communities: {report.created_communities} created, "
        f"{report.existing_communities} existed; users: {report.created_users} created, "
        f"{report.existing_users} existed")
    if not (report.created_communities or report.created_users):
        say("nothing changed: everything already existed")
    for error in report.errors:
        print(error, file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
