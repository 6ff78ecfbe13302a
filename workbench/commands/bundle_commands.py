"""``geoworkbench bundle CASE -o FILE.zip [--without-evidence]`` and
``geoworkbench unbundle FILE.zip DIR [--evidence-from FOLDER]`` (``workbench.exchange``).

``bundle`` reads the case only (the GUI may hold it) and never replaces a file without
``--force``. ``unbundle`` writes ``DIR/NAME.gwcase`` only when every check passed (exit 0); a
refused bundle, missing evidence or a case that does not verify is one line naming the bundle
and what was wrong, and nothing is written (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.output import add_force_flag, add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bundle",
        help="write a case into one zip with a manifest of hashes",
        description="Write the case (database copied consistently, evidence, exports, derived "
        "files) into FILE.zip with manifest.json listing every file's sha256 and the audit head.",
    )
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="FILE.zip")
    p.add_argument(
        "--without-evidence",
        action="store_true",
        help="leave the originals out; the manifest lists them by sha256 and size",
    )
    add_force_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run_bundle)

    p = subparsers.add_parser(
        "unbundle",
        help="write a bundled case back into a folder, checked",
        description="Unpack FILE.zip into DIR/NAME.gwcase after checking every name, type, "
        "size and hash, the audit chain and the published head; nothing is written when a "
        "check fails.",
    )
    p.add_argument("bundle", type=Path, metavar="FILE.zip")
    p.add_argument("dir", type=Path, metavar="DIR", help="the folder to put the case in")
    p.add_argument(
        "--evidence-from",
        type=Path,
        metavar="FOLDER",
        help="where to look (recursively, by sha256) for evidence left out of the bundle",
    )
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="write the case even when some evidence cannot be found (listed; exit 1)",
    )
    add_json_flag(p)
    p.set_defaults(func=run_unbundle)


def run_bundle(args: argparse.Namespace) -> int:
    from workbench.exchange import bundle_case

    result = bundle_case(
        args.case, args.out, without_evidence=args.without_evidence, replace=args.force
    )
    m = result.manifest
    if args.json:
        print_json({"path": str(result.path), "size_bytes": result.size_bytes,
                    "audit_head": m.audit_head, "files": len(m.files),
                    "left_out": [e.path for e in m.left_out]})  # fmt: skip
    else:
        print(f"wrote {result.path} ({result.size_bytes} bytes, {len(m.files)} files)")
        print(f"audit head {m.audit_head}")
        for e in m.left_out:
            print(f"left out {e.path} (sha256 {e.sha256}, {e.size} bytes)")
    return 0


def run_unbundle(args: argparse.Namespace) -> int:
    from workbench.exchange import unbundle

    result = unbundle(
        args.bundle, args.dir, evidence_from=args.evidence_from, allow_missing=args.allow_missing
    )
    if args.json:
        print_json({"case": str(result.case_path), "audit_head": result.audit_head,
                    "evidence_checked": result.evidence_checked,
                    "found_in_folder": list(result.found_in_folder),
                    "missing": [e.path for e in result.missing]})  # fmt: skip
    else:
        print(f"wrote {result.case_path}")
        print(f"verified: {result.evidence_checked} evidence, audit head {result.audit_head}")
        for path in result.found_in_folder:
            print(f"found {path} in {args.evidence_from}")
        for e in result.missing:
            print(f"missing {e.path} (sha256 {e.sha256}, {e.size} bytes)", file=sys.stderr)
    return 1 if result.missing else 0
