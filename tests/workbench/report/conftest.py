"""The sample case (small) and its report, built once for the report tests."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from tests.synth.small_demo import build_small_demo
from workbench.report import build_report

EXPORTED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def report_demo(tmp_path_factory):
    """The demo case at small size (what tests/workbench/test_demo.py builds too)."""
    return build_small_demo(tmp_path_factory.mktemp("report_demo"))


@pytest.fixture(scope="session")
def demo_report(report_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("report_out")
    return build_report(report_demo.case_path, out, exported_at=EXPORTED_AT)


@pytest.fixture
def case_copy(report_demo, tmp_path):
    """A copy of the demo case to alter (the original stays as built)."""
    dest = tmp_path / report_demo.case_path.name
    shutil.copytree(report_demo.case_path, dest)
    return dest
