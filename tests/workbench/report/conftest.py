"""The sample case (small) and its report, built once for the report tests."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from fractions import Fraction

import pytest

from workbench.demo import build_demo_case
from workbench.report import build_report

EXPORTED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def report_demo(tmp_path_factory):
    """The demo case at small size (what tests/workbench/test_demo.py builds)."""
    from workbench.scenario.scene import ScenarioConfig

    config = ScenarioConfig(
        rooftop_size=(640, 360),
        second_size=(640, 360),
        rooftop_duration_s=4.4,
        cut_at_s=2.0,
        second_duration_s=2.0,
        rooftop_fps=Fraction(10),
        second_fps=Fraction(10),
        still_size=(320, 240),
        photo_size=(320, 240),
        gsd_m=4.0,
    )
    return build_demo_case(tmp_path_factory.mktemp("report_demo"), seed=7, config=config)


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
