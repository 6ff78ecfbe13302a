"""A landmark's or camera's position uncertainty: stored (migration 8), logged, undone, kept
through delete and restore, and defaulted by kind when not stated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.errors import GeometryError
from workbench import geodata, geodata_records
from workbench.case import audit, create_case, migrations, open_case
from workbench.case.verify import verify_case

OLD_CASE = Path(__file__).resolve().parents[1] / "data" / "old_v1.gwcase"


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "sigma.gwcase", title="Hass sigma")
    yield c
    c.close()


def test_position_sigma_is_stated_logged_undone_and_restored(case):
    lid = geodata.add_landmark(case, "water tower", 35.6205, 36.5507, height_m=28.0).result()
    mark = geodata_records.get_landmark(case.read(), lid)
    assert mark.position_sigma_m is None and mark.sigma_or_default_m() == 5.0
    assert geodata.set_position_sigma(case, lid, 2.5).result() is None
    assert geodata_records.get_landmark(case.read(), lid).position_sigma_m == 2.5
    record = geodata.delete_landmark(case, lid).result()
    geodata.restore_landmark(case, record).result()
    assert geodata_records.get_landmark(case.read(), lid).position_sigma_m == 2.5
    assert geodata.set_position_sigma(case, lid, None).result() == 2.5  # the undo
    assert geodata_records.get_landmark(case.read(), lid).position_sigma_m is None
    assert "landmark.position_sigma" in [e.action for e in audit.entries(case.read())]
    assert audit.walk(case.read()) == []
    with pytest.raises(GeometryError):
        geodata.set_position_sigma(case, lid, -1.0)


def test_a_map_click_is_as_uncertain_as_a_few_screen_pixels_of_ground():
    assert geodata_records.map_click_sigma_m(19, 35.6) == 1.0  # never below a metre
    assert geodata_records.map_click_sigma_m(15, 35.6) == pytest.approx(11.6, rel=0.02)


def test_the_old_case_opens_with_no_position_sigma_and_verifies(tmp_path):
    copy = tmp_path / "old.gwcase"
    shutil.copytree(OLD_CASE, copy)
    for f in (copy / "evidence").iterdir():
        f.chmod(0o444)  # git does not keep the read-only flag
    with open_case(copy) as case:
        assert migrations.current_version(case.read()) == migrations.SCHEMA_VERSION
        cols = [r[1] for r in case.read().execute("PRAGMA table_info(landmark)")]
        assert "position_sigma_m" in cols
        assert all(m.position_sigma_m is None for m in geodata_records.list_landmarks(case.read()))
        report = verify_case(case)
    assert report.ok, report.findings
