"""Case subcommands: new, import, verify, log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("new", help="create a new case folder (NAME.gwcase)")
    p.add_argument("case", type=Path)
    p.add_argument("--title", default=None)
    add_json_flag(p)
    p.set_defaults(func=cmd_new)

    p = subparsers.add_parser("import", help="import media files into a case as evidence")
    p.add_argument("case", type=Path)
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--source-url", default=None)
    p.add_argument("--note", default=None)
    add_json_flag(p)
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser(
        "verify", help="re-hash evidence, walk the audit chain, check the tables and exports"
    )
    p.add_argument("case", type=Path)
    p.add_argument(
        "--expect-head",
        metavar="SEQ:HASH",
        default=None,
        help="a published audit head: the chain's row at SEQ must have this hash",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_verify)

    p = subparsers.add_parser("log", help="print the audit log")
    p.add_argument("case", type=Path)
    p.add_argument("--last", type=int, default=None, metavar="N", help="only the last N rows")
    add_json_flag(p)
    p.set_defaults(func=cmd_log)


def _journal_note(case) -> None:
    if case.journal_note:
        print(
            f"note: {case.journal_note}; opened with a rollback journal instead of WAL",
            file=sys.stderr,
        )


def cmd_new(args: argparse.Namespace) -> int:
    from workbench.case import create_case

    with create_case(args.case, title=args.title) as case:
        _journal_note(case)
        seq, head = case.audit_head()
        if args.json:
            print_json({"case": str(case.path), "title": case.title, "audit_head": head})
        else:
            print(f"created {case.path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from workbench.case import open_case
    from workbench.case.intake import import_files
    from workbench.jobs import TerminalProgress

    with open_case(args.case) as case:
        _journal_note(case)
        result = import_files(
            case,
            args.files,
            source_url=args.source_url,
            note=args.note,
            progress=TerminalProgress(),
        )
    if args.json:
        print_json(
            {
                "imported": [
                    {
                        "id": e.id,
                        "sha256": e.sha256,
                        "kind": e.kind,
                        "name": e.original_name,
                        "already_present": e.already_present,
                    }
                    for e in result.imported
                ],
                "failed": [{"file": str(f.path), "error": f.reason} for f in result.failed],
            }
        )
    else:
        for e in result.imported:
            again = "  (already in the case)" if e.already_present else ""
            print(f"{e.id}\t{e.sha256}\t{e.kind}\t{e.original_name}{again}")
        for f in result.failed:
            print(f"error: {f.reason}", file=sys.stderr)
    return 1 if result.failed else 0


def cmd_verify(args: argparse.Namespace) -> int:
    from workbench.case import integrity, open_case
    from workbench.case.verify import verify_case
    from workbench.jobs import TerminalProgress

    if args.expect_head is not None:
        try:
            integrity.parse_head(args.expect_head)
        except ValueError as exc:
            print(f"geoworkbench verify: error: --expect-head: {exc}", file=sys.stderr)
            return 2
    with open_case(args.case, read_only=True) as case:
        result = verify_case(case, expect_head=args.expect_head, progress=TerminalProgress())
    if args.json:
        print_json(
            {
                "ok": result.ok,
                "evidence_checked": result.evidence_checked,
                "audit_rows": result.audit_rows,
                "audit_head": result.audit_head,
                "findings": [
                    {"severity": f.severity, "where": f.where, "problem": f.problem}
                    for f in result.findings
                ],
            }
        )
    else:
        for f in result.findings:
            print(f"{f.severity.upper()}: {f.where}: {f.problem}")
        state = "OK: nothing altered or missing" if result.ok else "FAILED: see the errors above"
        print(
            f"{state}; {result.evidence_checked} evidence files hashed, "
            f"{result.audit_rows} audit rows chained"
        )
        print(f"audit head: {result.audit_rows}:{result.audit_head}")
    return 0 if result.ok else 1


def cmd_log(args: argparse.Namespace) -> int:
    from workbench.case import audit, open_case
    from workbench.case.canonical import canonical_json

    with open_case(args.case, read_only=True) as case:
        rows = audit.entries(case.read(), limit=args.last)
    if args.json:
        print_json([r.__dict__ for r in rows])
    else:
        for r in rows:
            print(
                f"{r.seq:>5}  {r.at_utc}  {r.actor}  {r.action}  {r.target}  "
                f"{canonical_json(r.details)}  {r.row_hash[:16]}"
            )
    return 0
