"""Import a community's grids from CSV or GeoJSON through the dispatch RPC, with a progress bar.

    python -m services.dispatch.grid_import grids.csv --community c-123 [--dry-run]

Every row is validated first (all of them, in one pass, so parents may come
anywhere in the file); each bad row is printed with its number, field and
reason, and then nothing is imported. A valid file is sent in chunks, parents
first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from services.common.caller import Caller

CHUNK = 200
SYSTEM = Caller.system().model_dump(mode="json")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from nameko.standalone.rpc import ClusterRpcProxy
    from tqdm import tqdm

    from services.common.config import Settings
    from services.common.errors import DomainError
    from services.dispatch.domain.gridrows import DEPTH
    from services.dispatch.grids import parse_file

    path = Path(args.file)
    fmt = args.format or ("geojson" if path.suffix.lower() in (".geojson", ".json") else "csv")
    try:
        rows = [dict(r, _row=i) for i, r in enumerate(
            parse_file(path.read_text(encoding="utf-8-sig"), fmt), start=1)]
    except DomainError as exc:
        print(f"cannot read {path}: {exc} {exc.fields}", file=sys.stderr)
        return 2
    broker = args.broker or Settings().amqp_uri
    with ClusterRpcProxy({"AMQP_URI": broker}, timeout=120) as rpc:
        check = rpc.dispatch.import_grids(SYSTEM, args.community, rows, True)
        if not check["valid"]:
            _print_errors(check["errors"])
            print(f"{len(check['errors'])} problems; nothing imported", file=sys.stderr)
            return 1
        if args.dry_run:
            print(f"dry run: {len(rows)} rows valid; nothing imported")
            return 0
        ordered = sorted(rows, key=lambda r: DEPTH.get(str(r.get("level", "")).strip(), 9))
        imported = 0
        with tqdm(total=len(ordered), unit="row", desc="importing") as bar:
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start:start + CHUNK]
                report: dict[str, Any] = rpc.dispatch.import_grids(
                    SYSTEM, args.community, chunk, False)
                if not report["valid"]:  # changed under us since the check
                    _print_errors(report["errors"])
                    return 1
                imported += report["imported"]
                bar.update(len(chunk))
    print(f"imported {imported} rows")
    return 0


def _print_errors(errors: list[dict]) -> None:
    for error in errors:
        print(f"row {error['row']}: {error['field']}: {error['reason']}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--community", required=True, help="community id")
    parser.add_argument("--dry-run", action="store_true", help="validate only")
    parser.add_argument("--format", choices=("csv", "geojson"))
    parser.add_argument("--broker", help="AMQP URI (default: LINLI_AMQP_URI)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
