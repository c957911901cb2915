"""The local stack: `python -m deploy.stack up|down|logs|status|ensure-broker`.

State lives in .stack/ (LINLI_STACK_DIR): pids/, logs/ and the embedded store's
data, which survives `down` and `up`. Every port and URI is a LINLI_* variable.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from deploy.broker import ensure_broker, sweep_test_vhosts
from deploy.browser import ensure_browser
from deploy.errors import StackError
from deploy.local_stack import Stack
from deploy.seed import demo_logins


def up(stack: Stack, args: argparse.Namespace) -> None:
    started = stack.up(seed=False if args.no_seed else None)
    print(f"started: {', '.join(started) or 'nothing (all were running)'}")
    if stack.gateway_url:
        print(f"gateway   {stack.gateway_url}\nAPI docs  {stack.gateway_url}/docs")
    else:
        print("gateway   not built yet (services/gateway/app.py): not started")
    for name, url in stack.metrics_urls.items():
        print(f"metrics   {name:<10} {url}")
    print(f"logs      {stack.logs_dir}  (make logs)")
    print("demo logins (username / password):")
    for username, password in demo_logins(stack.services):
        print(f"  {username:<16} {password}")


def down(stack: Stack, args: argparse.Namespace) -> None:
    stopped = stack.down()
    print(f"stopped: {', '.join(stopped) or 'nothing was running'}")


def status(stack: Stack, args: argparse.Namespace) -> None:
    for name, state, pid, port in stack.status():
        print(f"{name:<10} {state:<8} pid={pid or '-':<8} port={port}")


def logs(stack: Stack, args: argparse.Namespace) -> None:
    files = sorted(str(p) for p in stack.logs_dir.glob("*.log"))
    if not files:
        raise StackError(f"no logs in {stack.logs_dir}: run `make up` first")
    tail = shutil.which("tail") or "tail"
    os.execv(tail, [tail, "-n", str(args.lines), *(["-F"] if args.follow else []), *files])


def broker(stack: Stack, args: argparse.Namespace) -> None:
    ensure_broker(stack.settings, need_management=True)
    if args.sweep_test_vhosts:
        sweep_test_vhosts(stack.settings)


def browser(stack: Stack, args: argparse.Namespace) -> None:
    ensure_browser()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stack", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("up", help="start broker, store, services and gateway; seed demo data")
    cmd.add_argument("--no-seed", action="store_true", help="do not create the demo data")
    cmd.add_argument("--replicas", default="", metavar="intake=2,dispatch=2",
                     help="run N competing replicas of a service (LINLI_REPLICAS_<SERVICE>)")
    cmd.add_argument("--store-per-service", action="store_true",
                     help="one embedded store per service (LINLI_STORE_PER_SERVICE)")
    cmd.set_defaults(run=up)
    sub.add_parser("down", help="stop what `up` started").set_defaults(run=down)
    sub.add_parser("status", help="one line per process").set_defaults(run=status)
    cmd = sub.add_parser("logs", help="tail every process's log")
    cmd.add_argument("-f", "--follow", action="store_true")
    cmd.add_argument("-n", "--lines", type=int, default=20)
    cmd.set_defaults(run=logs)
    cmd = sub.add_parser("ensure-broker",
                         help="the broker and its management API answer (for tests)")
    cmd.add_argument("--sweep-test-vhosts", action="store_true",
                     help="delete test vhosts earlier runs left (only where no other run is on)")
    cmd.set_defaults(run=broker)
    sub.add_parser("ensure-browser", help="Debian's headless chromium and chromedriver "
                   "(apt, when missing) for the console's browser tests").set_defaults(run=browser)
    return p


def overrides(args: argparse.Namespace) -> dict[str, str]:
    """The LINLI_* variables `up`'s options stand for."""
    env: dict[str, str] = {}
    for item in filter(None, getattr(args, "replicas", "").split(",")):
        service, _, count = item.partition("=")
        if not count.isdigit() or int(count) < 1:
            raise StackError(f"--replicas: expected service=N, got {item!r}")
        env[f"LINLI_REPLICAS_{service.strip().upper()}"] = count
    if getattr(args, "store_per_service", False):
        env["LINLI_STORE_PER_SERVICE"] = "1"
    return env


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(Stack({**os.environ, **overrides(args)}), args)
    except StackError as exc:
        print(f"stack {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
