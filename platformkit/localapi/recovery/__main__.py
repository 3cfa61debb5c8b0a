"""``python -m platformkit.localapi.recovery``: recover, swap and reconcile from a shell.

For operators and for the crash tests, which SIGKILL this process at chosen moments.
A restore point is given as JSON (what ``create_restore_point`` returned).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from . import LATEST, BackupStore, RestorePoint, Target, reconcile, recover, swap


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m platformkit.localapi.recovery")
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("recover", help="recover a store into a new directory")
    rec.add_argument("store")
    rec.add_argument("into")
    group = rec.add_mutually_exclusive_group(required=True)
    group.add_argument("--point", help="restore point as JSON: name, lsn, time, timeline")
    group.add_argument("--time", help="ISO time with zone")
    group.add_argument("--latest", action="store_true")
    rec.add_argument("--swap", metavar="LIVE_DIR", help="then swap the result into LIVE_DIR")
    sw = commands.add_parser("swap", help="replace a live directory by a recovered one")
    sw.add_argument("live")
    sw.add_argument("recovered")
    rc = commands.add_parser("reconcile", help="finish or roll back an interrupted swap")
    rc.add_argument("live")
    args = parser.parse_args(argv)

    if args.command == "recover":
        target: Target = LATEST
        if args.point:
            data = json.loads(args.point)
            target = RestorePoint(
                name=data["name"], lsn=data["lsn"], time=datetime.fromisoformat(data["time"]), timeline=data["timeline"]
            )
        elif args.time:
            target = datetime.fromisoformat(args.time)
        result = recover(BackupStore(args.store), target, args.into)
        print(json.dumps({"recovered": str(result.data_dir), "timeline": result.timeline}))
        if args.swap:
            print(json.dumps({"swap": swap(args.swap, args.into).value}))
    elif args.command == "swap":
        print(json.dumps({"swap": swap(args.live, args.recovered).value}))
    else:
        print(json.dumps({"reconcile": reconcile(args.live).value}))


if __name__ == "__main__":
    main()
