"""``geoworkbench report CASE -o DIR [--pdf] [--at SEQ] [--blur-graphic] [--json]``.

Writes the evidence report (``workbench.report.build_report``): DIR/report.html with its
figures embedded (and beside it as figures/<sha256>.png). The report only reads the case, so it
is made the same while the GUI holds the case. Exit 0 when the case verified, 1 when verify
found a file or row altered or missing (the report is still written and says so on its first
page), 2 for a usage error. ``--pdf`` prints DIR/report.pdf with QtWebEngine in a process of
its own (``python -m ui.report_pdf``): this core never imports Qt.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from workbench.commands.output import add_at_seq_flag, add_json_flag, print_json

PDF_NAME = "report.pdf"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="write the evidence report (HTML, optionally PDF) of a case",
        description="Write a self-contained HTML report: summary, evidence, video, matches, "
        "geometry, observations, methods and the audit log with verify's result. Exit 1 when "
        "verify fails (the report is written all the same and says what failed).",
    )
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="DIR", help="output folder")
    p.add_argument("--pdf", action="store_true", help="also print DIR/report.pdf (QtWebEngine)")
    add_at_seq_flag(p)
    p.add_argument(
        "--blur-graphic",
        action="store_true",
        help="blur figures of evidence flagged graphic (the unblurred figure's hash is kept)",
    )
    add_json_flag(p)
    p.set_defaults(func=run_report)


def _progress_line(fraction: float, message: str) -> None:
    print(f"\r{fraction:4.0%} {message[:60]:<60}", end="", file=sys.stderr, flush=True)


def run_report(args: argparse.Namespace) -> int:
    from workbench.report import build_report

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"geoworkbench report: error: {out}: not a folder", file=sys.stderr)
        return 2
    progress = None if args.json or not sys.stderr.isatty() else _progress_line
    result = build_report(args.case, out, at_seq=args.at, blur_graphic=args.blur_graphic,
                          progress=progress)  # fmt: skip
    if progress is not None:
        print(file=sys.stderr)
    pdf = None
    if args.pdf:
        footer = f"{Path(args.case).name} · audit head {result.audit_head_seq}:" + (
            result.audit_head_hash
        )
        pdf = _print_pdf(result.html_path, out / PDF_NAME, footer)
        if pdf is None:
            return 1
    _say(args, result, pdf)
    return 0 if result.verify_ok else 1


def _print_pdf(html: Path, pdf: Path, footer: str) -> Path | None:
    """Print in a process of its own (Chromium never starts in this one); None on failure."""
    cmd = [sys.executable, "-m", "ui.report_pdf", str(html), str(pdf), "--footer", footer]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        reason = said[-1] if said else f"exit code {done.returncode}"
        print(f"geoworkbench report: error: {pdf}: the PDF was not printed: {reason}",
              file=sys.stderr)  # fmt: skip
        return None
    return pdf


def _say(args: argparse.Namespace, result, pdf: Path | None) -> None:
    if args.json:
        print_json(
            {
                "html": str(result.html_path),
                "pdf": None if pdf is None else str(pdf),
                "verify_ok": result.verify_ok,
                "verify_problems": list(result.verify_problems),
                "audit_head_seq": result.audit_head_seq,
                "audit_head_hash": result.audit_head_hash,
                "figures": [str(p) for p in result.figures],
            }
        )
        return
    print(f"wrote {result.html_path}" + (f" and {pdf}" if pdf else ""))
    print(f"audit head {result.audit_head_seq}:{result.audit_head_hash}")
    if result.verify_ok:
        print("verify at export: passed")
    else:
        print("verify at export: FAILED", file=sys.stderr)
        for line in result.verify_problems:
            print(f"  {line}", file=sys.stderr)
