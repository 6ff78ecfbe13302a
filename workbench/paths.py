"""Every path to a bundled resource or default location, resolved in one place."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
PROJECTS_DIR = REPO_DIR / "projects"
SHARED_DATA_DIR = REPO_DIR.parent / "shared" / "data"
CASE_SUFFIX = ".gwcase"
# The report's Arabic font (Noto Naskh Arabic, SIL OFL 1.1: OFL.txt beside it), for the
# HTML report's @font-face and the PDF printed from it.
REPORT_FONTS_DIR = PACKAGE_DIR / "report" / "fonts"
ARABIC_FONT = REPORT_FONTS_DIR / "NotoNaskhArabic-Regular.ttf"


def default_cases_dir() -> Path:
    """Where new cases go by default: projects/ in a checkout, else ~/GeoWorkbench."""
    if PROJECTS_DIR.is_dir():
        return PROJECTS_DIR
    return Path.home() / "GeoWorkbench"
