"""`doctor`: this machine's checks, with hints."""

from __future__ import annotations

from app.cli.events import print_json


def cmd_doctor(args) -> int:
    from app.core.doctor import checks

    results = checks()
    if args.json:
        print_json(results)
    else:
        for item in results:
            mark = {"ok": "✓", "warn": "!", "fail": "✗"}[item["status"]]
            print(f"{mark} {item['name']:14} {item['detail']}")
            if item.get("hint"):
                print(f"  {'':14} {item['hint']}")
    return 0 if all(i["status"] != "fail" for i in results) else 1


def add_parsers(sub) -> None:
    doc = sub.add_parser("doctor", help="check this machine: python, torch, GPU, libraries, disk")
    doc.add_argument("--json", action="store_true")
    doc.set_defaults(func=cmd_doctor)
