"""Benchmark: the report's PDF, and a bundle's round trip, for the sample case and for the
large case of ``bench_report`` (50 evidence files, 500 observations).

Run on demand (not a test): ``.venv/bin/python bench/bench_exchange_pdf.py``. For each case:
the HTML report (built once, not timed here: ``bench_report`` times it), its PDF printed by
``python -m ui.report_pdf`` (wall time, pages, size), ``bundle`` and ``unbundle`` (wall time,
zip size; unbundle includes verify). Wall times with the machine's load average, since other
processes inflate them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import build_large_case  # noqa: E402

from ui.report_pdf import print_pdf_in_process  # noqa: E402
from workbench.demo import build_demo_case  # noqa: E402
from workbench.exchange import bundle_case, unbundle  # noqa: E402
from workbench.report import build_report  # noqa: E402


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _pages(pdf: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(pdf).pages)


def measure(name: str, case_path: Path, work: Path) -> None:
    report = build_report(case_path, work / f"{name}-report")
    footer = f"{case_path.name} · audit head {report.audit_head_seq}:{report.audit_head_hash}"
    pdf, pdf_s = _timed(
        lambda: print_pdf_in_process(report.html_path, work / f"{name}.pdf", footer)
    )
    bundle, bundle_s = _timed(lambda: bundle_case(case_path, work / f"{name}.zip"))
    back, unbundle_s = _timed(lambda: unbundle(bundle.path, work / f"{name}-back"))
    print(
        f"{name}: pdf {pdf_s:.1f} s ({_pages(pdf)} pages, {pdf.stat().st_size / 1e6:.1f} MB); "
        f"bundle {bundle_s:.1f} s ({bundle.size_bytes / 1e6:.1f} MB, "
        f"{len(bundle.manifest.files)} files); unbundle + verify {unbundle_s:.1f} s "
        f"({back.evidence_checked} evidence); load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, help="where the sample case is (or is built)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gw-bench-exchange-") as tmp:
        work = Path(tmp)
        demo_dir = args.demo_dir or work / "demo"
        demo = build_demo_case(demo_dir)
        measure("sample", demo.case_path, work)
        (work / "large").mkdir()
        measure("large", build_large_case(work / "large"), work)


if __name__ == "__main__":
    main()
