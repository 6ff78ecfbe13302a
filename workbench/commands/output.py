"""Helpers shared by subcommands: JSON output, the --json, --force, --at and --as-of flags."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")


def add_force_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing output file (never a read-only one, never inside a case's "
        "evidence/)",
    )


def add_at_seq_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        type=int,
        default=None,
        metavar="SEQ",
        help="the case as it stood at this audit row (rebuilt from the chain)",
    )


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def add_as_of_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=_as_of,
        metavar="UTC",
        help="the time the provenance speaks for, ISO 8601 UTC (e.g. 2026-11-22T10:30:00Z);"
        " default: now. The same inputs and --as-of give the same sidecar bytes",
    )


def _as_of(text: str) -> str:
    from workbench.provenance import ProvenanceError, parse_as_of

    try:
        return parse_as_of(text)
    except ProvenanceError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def as_of_or_now(args: argparse.Namespace) -> str:
    """``--as-of``, or else the clock, read here at the command's boundary and nowhere deeper."""
    from workbench.case.audit import utc_now_iso

    return args.as_of if args.as_of is not None else utc_now_iso()
