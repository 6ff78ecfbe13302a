"""``geoworkbench triage SOURCE... --catalog DIR`` and ``geoworkbench dupes DIR``.

Triage runs one task per file on Dask distributed (a local cluster of ``--workers``
processes, or the cluster at ``--scheduler``); progress shows files and frames per second and
an ETA. ``--resume`` does only what is missing. Files that fail are listed, and the run exits
1 when any did (their error rows are in the catalog).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "triage",
        help="triage an archive of videos into a catalog (Dask: local or a cluster)",
        description="Hash, probe, cut and fingerprint every file under the sources into a "
        "catalog of Parquet shards. Runs on a local Dask cluster, or on --scheduler.",
    )
    p.add_argument("sources", nargs="+", type=Path, help="files or folders (walked)")
    p.add_argument("--catalog", required=True, type=Path, metavar="DIR", help="the catalog")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int, metavar="N", help="local worker processes")
    engine.add_argument(
        "--scheduler", metavar="ADDRESS", help="an existing cluster: tcp://HOST:8786"
    )
    p.add_argument("--resume", action="store_true", help="skip files already in the catalog")
    add_json_flag(p)
    p.set_defaults(func=run_triage_command)

    p = subparsers.add_parser(
        "dupes",
        help="near-duplicate groups of a catalog, with the likely original of each",
        description="Group videos that share footage (re-encodes, crops, mirrors, trims, "
        "compilations); mark the member with the earliest stated time as the likely original.",
    )
    p.add_argument("catalog", type=Path, metavar="CATALOG_DIR")
    p.add_argument(
        "--threshold", type=int, default=None, metavar="BITS",
        help="largest Hamming distance of matching frame hashes (0-15, default 12)",
    )  # fmt: skip
    add_json_flag(p)
    p.set_defaults(func=run_dupes_command)


def run_triage_command(args: argparse.Namespace) -> int:
    from workbench.archive.engine import run_triage
    from workbench.jobs import TerminalProgress

    if args.workers is not None and args.workers < 1:
        raise SystemExit("triage: --workers must be at least 1")
    summary = run_triage(
        args.sources, args.catalog, workers=args.workers, scheduler=args.scheduler,
        resume=args.resume, progress=None if args.json else TerminalProgress(),
    )  # fmt: skip
    if args.json:
        print_json({
            "sources": summary.sources, "skipped": summary.skipped,
            "triaged": summary.triaged, "seen": summary.seen, "errors": summary.errors,
            "frames": summary.frames, "wall_s": round(summary.wall_s, 3),
            "workers": summary.workers,
            "cost_s": {k: round(v, 3) for k, v in sorted(summary.cost_s.items())},
            "failed": [{"path": p, "error": e} for p, e in summary.failed],
        })  # fmt: skip
    else:
        print(
            f"{summary.sources} files: {summary.triaged} triaged, {summary.seen} copies of "
            f"content already seen, {summary.skipped} already in the catalog, "
            f"{summary.errors} failed; {summary.wall_s:.1f} s on {summary.workers} "
            f"worker{'s' if summary.workers != 1 else ''}"
        )
        for path, error in summary.failed:
            print(f"failed: {path}: {error}")
    return 1 if summary.errors else 0


def run_dupes_command(args: argparse.Namespace) -> int:
    from analysis.archive.groups import DEFAULT_RADIUS
    from analysis.archive.hash_index import MAX_RADIUS
    from workbench.archive.catalog import Catalog
    from workbench.archive.dupes import find_dupes

    radius = DEFAULT_RADIUS if args.threshold is None else args.threshold
    if not 0 <= radius <= MAX_RADIUS:
        raise SystemExit(f"dupes: --threshold must be between 0 and {MAX_RADIUS} bits")
    report = find_dupes(Catalog(args.catalog), radius=radius)
    if args.json:
        print_json(report.as_json())
        return 0
    videos, groups = report.videos, len(report.groups)
    print(
        f"{videos} video{'s' if videos != 1 else ''}, {groups} group{'s' if groups != 1 else ''}"
        " of near-duplicates"
    )
    for n, group in enumerate(report.groups, 1):
        print(f"group {n}: likely original {group.original[:12]} ({group.original_reason})")
        for m in group.members:
            where = m.paths[0] if m.paths else "(no path)"
            what = "; ".join(m.differences) if m.differences else "likely original"
            print(f"  {m.sha256[:12]}  {where}  {what}")
    for link in report.also_contains:
        print(f"{link.b[:12]} also holds {link.b_span_s[1] - link.b_span_s[0]:.1f} s of "
              f"{link.a[:12]}")  # fmt: skip
    return 0
