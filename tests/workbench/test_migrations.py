"""A case written by an older schema opens after migration, with nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.case import audit, migrations, open_case
from workbench.case.evidence import get_source, list_evidence
from workbench.case.verify import verify_case

OLD_CASE = Path(__file__).resolve().parents[1] / "data" / "old_v1.gwcase"


def _copy_old_case(tmp_path: Path) -> Path:
    target = tmp_path / "old.gwcase"
    shutil.copytree(OLD_CASE, target)
    for f in (target / "evidence").iterdir():
        f.chmod(0o444)  # git does not keep the read-only flag
    return target


def test_old_case_is_at_version_one():
    import sqlite3

    conn = sqlite3.connect(f"file:{OLD_CASE / 'case.sqlite'}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_old_case_opens_after_migration_with_everything_kept(tmp_path):
    path = _copy_old_case(tmp_path)
    with open_case(path) as case:
        conn = case.read()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        [item] = list_evidence(conn)
        assert item.original_name == "صورة.png"
        assert item.metadata == {"width_px": 8, "height_px": 6}
        assert not item.is_graphic and not item.is_reference
        assert get_source(conn, item.id).url == "https://example.org/post/1"
        assert case.title == "Old case (schema 1)"
        report = verify_case(case)
        baseline = audit.entries(conn)[-1]
    assert report.ok, report.findings
    # its two rows, then the baseline that binds the tables as found (once)
    assert report.audit_rows == 3 and report.evidence_checked == 1
    assert baseline.action == "state.baseline"
    bound = {(e["table"], tuple(e["key"])) for e in baseline.state}
    assert ("evidence", (item.id,)) in bound and ("meta", ("title",)) in bound
    with open_case(path) as case:  # a second open binds nothing more
        assert len(audit.entries(case.read())) == 3


def test_the_unused_job_run_table_is_gone_after_migrating_an_old_case(tmp_path):
    path = _copy_old_case(tmp_path)
    with open_case(path) as case:
        tables = {r[0] for r in case.read().execute("SELECT name FROM sqlite_master")}
        assert "job_run" not in tables and "evidence" in tables
        assert verify_case(case).ok
