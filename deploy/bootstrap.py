"""First run of a real district: the district, its streets and its first district admin.

    python -m deploy.bootstrap --district-code xh --district-name 西湖区 \\
        --street 东湖街道 --street 西山街道 \\
        --admin-username xh_admin --admin-name "区管理员" [--admin-phone 13800000000] \\
        [--password-file admin.pw | LINLI_ADMIN_PASSWORD=... | a prompt | --generate-password]

Idempotent: what exists is left as it is and said so, a second run with the same
arguments changes nothing ("nothing changed"). It talks to identity over the broker
(LINLI_AMQP_URI or --broker) as the system, like the demo seed and the grid import,
so it runs where the services run (`docker compose run --rm identity python -m
deploy.bootstrap ...`). Exit 0: done or nothing to do; 1: refused (the admin's
username belongs to another account); 2: bad arguments or no password.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.common.caller import Caller

SYSTEM = Caller.system().model_dump(mode="json")
PASSWORD_ENV = "LINLI_ADMIN_PASSWORD"
MIN_PASSWORD = 8  # services/common/contracts/identity.py UserIn.password


class BootstrapError(Exception):
    """Refused: the message says why; nothing further was written."""


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    district: dict[str, Any] = field(default_factory=dict)
    streets: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name
    admin: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def bootstrap(rpc: Any, code: str, name: str, streets: list[str], username: str,
              display_name: str, password: str, phone: str | None = None,
              say: Callable[[str], None] = print) -> Outcome:
    """Create what is missing of the district, its streets and its admin, in that order."""
    from services.common.errors import AlreadyExists

    out = Outcome()
    identity = rpc.identity
    district = identity.find_district(SYSTEM, code)
    if district is None:
        try:
            district = identity.create_district(SYSTEM, {"code": code, "name": name})
            out.created.append(f"district {code}")
        except AlreadyExists:  # a concurrent run made it a moment ago
            district = identity.find_district(SYSTEM, code)
    else:
        out.existing.append(f"district {code}" + (
            "" if district["name"] == name else f" (named {district['name']!r}: kept)"))
    out.district = district
    here = SYSTEM | {"district_id": district["id"]}  # the system, within this district
    known = {u["name"]: u for u in identity.list_units(here) if u["level"] == "street"}
    for street in dict.fromkeys(streets):  # in the order given, each once
        if street in known:
            out.existing.append(f"street {street}")
        else:
            known[street] = identity.create_street(here, {"district_id": district["id"],
                                                          "name": street})
            out.created.append(f"street {street}")
        out.streets[street] = known[street]
    out.admin = _admin(identity, out, district, username, display_name, password, phone)
    for line in out.created:
        say(f"created   {line}")
    for line in out.existing:
        say(f"exists    {line}: unchanged")
    say("done" if out.changed else "nothing changed: everything already existed")
    return out


def _admin(identity: Any, out: Outcome, district: dict[str, Any], username: str,
           display_name: str, password: str, phone: str | None) -> dict[str, Any]:
    from services.common.errors import AlreadyExists

    data = {"username": username, "password": password, "role": "district_admin",
            "display_name": display_name, "district_id": district["id"]}
    if phone:
        data["phone"] = phone
    try:
        admin = identity.create_user(SYSTEM, data)
        out.created.append(f"district admin {username}")
        return admin
    except AlreadyExists:
        pass
    # Taken: ours from an earlier run if these credentials open a district admin of this
    # district (the only read of an account by username identity offers).
    account = identity.authenticate({"username": username, "password": password})
    if (account is None or account["role"] != "district_admin"
            or account["district_id"] != district["id"]):
        raise BootstrapError(
            f"username {username!r} belongs to another account (or another password): "
            "nothing about it was changed; choose another --admin-username")
    out.existing.append(f"district admin {username}")
    return account


def read_password(args: argparse.Namespace, env: dict[str, str] | os._Environ[str],
                  say: Callable[[str], None]) -> str:
    """--password-file, else LINLI_ADMIN_PASSWORD, else --generate-password (printed once),
    else a prompt on a terminal; never an argument (it would sit in the shell history)."""
    if args.password_file:
        password = Path(args.password_file).read_text(encoding="utf-8").strip()
    elif env.get(PASSWORD_ENV):
        password = env[PASSWORD_ENV]
    elif args.generate_password:
        password = secrets.token_urlsafe(15)
        say(f"generated password for {args.admin_username} (shown once): {password}")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.admin_username}: ")
        if password != getpass.getpass("again: "):
            raise BootstrapError("the passwords differ")
    else:
        raise BootstrapError(f"no password: give --password-file, set {PASSWORD_ENV}, "
                             "or --generate-password")
    if len(password) < MIN_PASSWORD:
        raise BootstrapError(f"the password needs at least {MIN_PASSWORD} characters")
    return password


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m deploy.bootstrap",
                                description=__doc__.splitlines()[0])
    p.add_argument("--district-code", required=True, help="a-z, 0-9 and -, 2-32 characters")
    p.add_argument("--district-name", required=True)
    p.add_argument("--street", action="append", default=[], metavar="NAME",
                   help="a street (街道) of the district; repeat for each")
    p.add_argument("--admin-username", required=True)
    p.add_argument("--admin-name", required=True, help="the admin's display name")
    p.add_argument("--admin-phone")
    p.add_argument("--password-file", help="a file holding the admin's password")
    p.add_argument("--generate-password", action="store_true",
                   help="make a random password and print it once")
    p.add_argument("--broker", help="AMQP URI (default: LINLI_AMQP_URI)")
    return p


def main(argv: list[str] | None = None, say: Callable[[str], None] = print) -> int:
    args = parser().parse_args(argv)
    with warnings.catch_warnings():  # eventlet's deprecation notice, printed on import
        warnings.simplefilter("ignore")
        from nameko.exceptions import RemoteError
        from nameko.standalone.rpc import ClusterRpcProxy

    from services.common.config import Settings
    from services.common.errors import DomainError

    try:
        password = read_password(args, os.environ, say)
    except (BootstrapError, OSError) as exc:
        print(f"bootstrap: {exc}", file=sys.stderr)
        return 2
    broker = args.broker or Settings().amqp_uri
    try:
        with ClusterRpcProxy({"AMQP_URI": broker}, timeout=60) as rpc:
            bootstrap(rpc, args.district_code, args.district_name, args.street,
                      args.admin_username, args.admin_name, password, args.admin_phone, say)
    except BootstrapError as exc:
        print(f"bootstrap: {exc}", file=sys.stderr)
        return 1
    except DomainError as exc:  # bad input the service refused: its field and reason
        print(f"bootstrap: {exc.args[0]}: {exc.args[1]}", file=sys.stderr)
        return 2
    except RemoteError as exc:
        print(f"bootstrap: identity failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
