"""The evidence report: one self-contained HTML file another investigator can check.

``build_report`` reads a case (read-only; as it stands now or at an audit row), verifies it,
and writes ``report.html`` with its figures embedded (and beside it, named by SHA-256). The
same case at the same audit head gives the same bytes apart from one line, the export time.
The PDF is that HTML printed from ui/; this package is Qt-free.
"""

from __future__ import annotations

from workbench.report.builder import REPORT_NAME, build_report
from workbench.report.model import ReportResult

__all__ = ["REPORT_NAME", "ReportResult", "build_report"]
