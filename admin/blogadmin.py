"""Admin command line for the storage service: backups, restore, stats, integrity.

Installed as the console script ``blogadmin`` (``python -m admin.blogadmin`` too)::

    blogadmin backup
    blogadmin list
    blogadmin verify ID
    blogadmin restore ID [--yes]
    blogadmin stats
    blogadmin check [--repair]

Every command is one RPC to ``storage`` through the shared ``RpcClient`` with a
long timeout (``--timeout``, default 3600 s): a backup or restore of a large
blog outlasts the usual RPC timeout. While a backup or restore runs, a progress
bar shows the rows done, read from ``storage.backup_progress()``. Exit status:
0 done, 1 a problem was found (failed verification, integrity problems left),
2 the call was refused or failed.
"""

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor, wait

from tqdm import tqdm

from common.config import load_config
from common.errors import ConduitError, ServiceUnavailable
from rpc_client.client import RpcClient

DEFAULT_TIMEOUT_SECONDS = 3600
PROGRESS_POLL_SECONDS = 0.5


def parser():
    commands = argparse.ArgumentParser(
        prog="blogadmin", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands.add_argument("--config", help="config file (default: $BLOG_CONFIG or config.yaml)")
    commands.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds to wait for an answer",
    )
    choose = commands.add_subparsers(dest="command", required=True)
    choose.add_parser("backup", help="take a backup now")
    choose.add_parser("list", help="list backups, newest first")
    choose.add_parser("verify", help="check a backup's files against its manifest").add_argument(
        "id"
    )
    restore = choose.add_parser("restore", help="restore a backup into both databases")
    restore.add_argument("id")
    restore.add_argument("--yes", action="store_true", help="replace existing data")
    choose.add_parser("stats", help="rows per table of both databases")
    check = choose.add_parser("check", help="find rows left behind by lost events")
    check.add_argument("--repair", action="store_true", help="remove what the check finds")
    return commands


def main(argv=None, rpc=None, out=None):
    out = out or sys.stdout
    args = parser().parse_args(argv)
    client = rpc or RpcClient(load_config(args.config), timeout=args.timeout)
    try:
        return COMMANDS[args.command](client, args, out)
    except ConduitError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    finally:
        if rpc is None:
            client.close()


def backup(rpc, args, out):
    summary = with_progress(rpc, "backup", rpc.storage.backup)
    print(f"backup {summary['id']} written: {rows_text(backup_rows(summary))}", file=out)
    return 0


def list_backups(rpc, args, out):
    for summary in rpc.storage.list_backups():
        if "error" in summary:
            print(f"{summary['id']}  unreadable: {summary['error']}", file=out)
        else:
            print(
                f"{summary['id']}  {summary['created_at']}  {rows_text(backup_rows(summary))}  "
                f"{summary['size_bytes']} bytes",
                file=out,
            )
    return 0


def verify(rpc, args, out):
    result = rpc.storage.verify_backup(backup_id=args.id)
    print(f"backup {args.id}: {'ok' if result['ok'] else 'FAILED'}", file=out)
    for problem in result["problems"]:
        print(f"  {problem}", file=out)
    return 0 if result["ok"] else 1


def restore(rpc, args, out):
    result = with_progress(
        rpc, "restore", lambda: rpc.storage.restore(backup_id=args.id, confirm=args.yes)
    )
    print(f"backup {args.id} restored: {rows_text(result['restored'])}", file=out)
    return 0


def stats(rpc, args, out):
    for name, database in rpc.storage.stats().items():
        print(f"{name} ({database['dialect']}, schema {database['schema_version']})", file=out)
        for table, rows in database["tables"].items():
            print(f"  {table:<14} {rows:>10}", file=out)
    return 0


def check(rpc, args, out):
    report = rpc.storage.check_integrity(repair=args.repair)
    print(json.dumps(report, indent=2), file=out)
    if report["ok"]:
        print("no problems found", file=out)
    elif report["repaired"]:
        print("problems found and repaired", file=out)
    else:
        print("problems found: run `check --repair` to fix them", file=out)
    return 0 if report["ok"] or report["repaired"] else 1


COMMANDS = {
    "backup": backup,
    "list": list_backups,
    "verify": verify,
    "restore": restore,
    "stats": stats,
    "check": check,
}


def with_progress(rpc, operation, call):
    """Run ``call`` in a thread and show ``storage.backup_progress()`` as a bar meanwhile."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(call)
        # delay: work done before the first poll shows no bar at all (not "0rows")
        with tqdm(desc=operation, unit="rows", file=sys.stderr, delay=PROGRESS_POLL_SECONDS) as bar:
            while not wait([future], timeout=PROGRESS_POLL_SECONDS).done:
                show_progress(rpc, operation, bar)
            if bar.total and future.exception() is None:
                bar.update(bar.total - bar.n)  # the rows done since the last poll
        return future.result()


def show_progress(rpc, operation, bar):
    try:
        state = rpc.storage.backup_progress()
    except ServiceUnavailable:
        return
    if state["operation"] == operation and state["total"]:
        bar.total = state["total"]
        bar.n = state["done"]
        bar.refresh()


def backup_rows(summary):
    """``{database: {table: rows}}`` of a backup summary."""
    return {name: database["rows"] for name, database in summary["databases"].items()}


def rows_text(rows_by_database):
    """``users 12 rows, blog 340 rows``."""
    return ", ".join(f"{name} {sum(rows.values())} rows" for name, rows in rows_by_database.items())


if __name__ == "__main__":
    sys.exit(main())
