"""Tampering that keeps the database consistent: verify names the table and row, or the file.

Each test edits a case the way an attacker with the file would (sqlite3, a hex editor), then
runs ``geoworkbench verify`` as a reader of a published case would.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.synth.media_factory import make_jpeg, make_video
from workbench.case import audit, binding, create_case, open_case
from workbench.case.intake import import_file
from workbench.cli import main
from workbench.frame_export import export_frame
from workbench.geodata import add_landmark
from workbench.hypotheses import add_hypothesis


@pytest.fixture
def case_path(tmp_path) -> Path:
    """A case with a photo, a video, a landmark, a hypothesis and an exported frame."""
    path = tmp_path / "hass.gwcase"
    with create_case(path, title="Hass") as case:
        import_file(case, make_jpeg(tmp_path / "school.jpg"))
        video = import_file(case, make_video(tmp_path / "strike.mp4"))
        add_landmark(case, "Water tower", 35.6205, 36.5533, height_m=28.0).result()
        add_hypothesis(case, "Strike site", 35.6209, 36.5531, radius_m=120.0).result()
        export_frame(case, video.id, 5)
    return path


def _verify(capsys, path: Path, *extra: str) -> tuple[int, dict]:
    code = main(["verify", str(path), "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def _errors(report: dict) -> list[str]:
    return [f"{f['where']}: {f['problem']}" for f in report["findings"] if f["severity"] == "error"]


def _sql(path: Path, *statements: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(path / "case.sqlite")
    for sql in statements:
        conn.execute(sql, params if "?" in sql else ())
    conn.commit()
    conn.close()


def test_an_untouched_case_verifies_with_its_tables_bound(case_path, capsys):
    code, report = _verify(capsys, case_path)
    assert code == 0, _errors(report)
    with open_case(case_path, read_only=True) as case:
        bound = binding.replay(case.read())
    tables = {table for table, _ in bound}
    assert {"evidence", "landmark", "hypothesis", "frame_export", "frame", "meta"} <= tables


def test_a_replaced_evidence_file_with_a_matching_row_is_caught(case_path, capsys):
    evidence = case_path / "evidence"
    [old] = [p for p in evidence.glob("*.jpg")]
    forged = make_jpeg(case_path.parent / "forged.jpg", colour=(250, 0, 0))
    import hashlib

    sha = hashlib.sha256(forged.read_bytes()).hexdigest()
    new_name = f"{sha}.jpg"
    os.chmod(evidence, 0o755)
    old.chmod(0o644)
    old.unlink()
    shutil.copy(forged, evidence / new_name)
    (evidence / new_name).chmod(0o444)
    _sql(
        case_path,
        "UPDATE evidence SET sha256 = ?, stored_name = ?, size_bytes = ? WHERE stored_name = ?",
        params=(sha, new_name, forged.stat().st_size, old.name),
    )
    code, report = _verify(capsys, case_path)
    assert code == 1
    assert any(e.startswith("table evidence row") and "changed" in e for e in _errors(report))


def test_a_moved_hypothesis_is_caught_and_its_last_audit_row_named(case_path, capsys):
    _sql(case_path, "UPDATE hypothesis SET lat_deg = lat_deg + 0.01")
    code, report = _verify(capsys, case_path)
    assert code == 1
    [error] = _errors(report)
    assert error.startswith("table hypothesis row 1: changed outside the workbench")
    assert "last recorded by audit row" in error


def test_edited_exif_gps_in_the_stored_metadata_is_caught(case_path, capsys):
    _sql(
        case_path,
        "UPDATE evidence SET metadata_json = json_set(metadata_json, '$.gps', json('{\"lat\": 1}'))"
        " WHERE stored_name LIKE '%.jpg'",
    )
    code, report = _verify(capsys, case_path)
    assert code == 1 and any(e.startswith("table evidence row") for e in _errors(report))


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("DELETE FROM landmark", "deleted outside the workbench"),
        (
            "INSERT INTO hypothesis (title, created_at_utc) VALUES ('planted', '2016-10-26')",
            "added outside the workbench",
        ),
        ("DELETE FROM frame WHERE frame_index = 3", "changed outside the workbench"),
        ("UPDATE frame SET md5 = '" + "f" * 32 + "' WHERE frame_index = 7", "changed"),
    ],
)
def test_rows_deleted_added_or_changed_outside_are_named(case_path, capsys, statement, problem):
    _sql(case_path, statement)
    code, report = _verify(capsys, case_path)
    assert code == 1 and any(problem in e for e in _errors(report)), _errors(report)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_an_exported_frame_altered_after_recording_is_caught(case_path, capsys, damage):
    [png] = list((case_path / "exports").rglob("*.png"))
    data = bytearray(png.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    else:
        del data[-1]
    png.write_bytes(bytes(data))
    code, report = _verify(capsys, case_path)
    assert code == 1
    assert any(png.name in e and "changed since" in e for e in _errors(report)), _errors(report)


def test_dropped_audit_triggers_are_named(case_path, capsys):
    _sql(case_path, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete")
    code, report = _verify(capsys, case_path)
    errors = _errors(report)
    assert code == 1
    assert any(e.startswith("trigger audit_log_no_update") for e in errors)
    assert any(e.startswith("trigger audit_log_no_delete") for e in errors)


def test_insert_or_replace_cannot_rewrite_an_audit_row(case_path):
    conn = sqlite3.connect(case_path / "case.sqlite")
    row = conn.execute("SELECT * FROM audit_log WHERE seq = 2").fetchone()
    forged = (row[0], row[1], "mallory", *row[3:])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(
            f"INSERT OR REPLACE INTO audit_log VALUES ({', '.join('?' * len(row))})", forged
        )
    assert conn.execute("SELECT actor FROM audit_log WHERE seq = 2").fetchone()[0] != "mallory"
    conn.close()


def test_a_published_head_is_checked(case_path, capsys):
    with open_case(case_path, read_only=True) as case:
        seq, row_hash = case.audit_head()
    code, _ = _verify(capsys, case_path, "--expect-head", f"{seq}:{row_hash}")
    assert code == 0
    code, report = _verify(capsys, case_path, "--expect-head", f"{seq}:{'ab' * 32}")
    assert code == 1 and any(e.startswith("the published head") for e in _errors(report))
    code, report = _verify(capsys, case_path, "--expect-head", f"{seq + 5}:{row_hash}")
    assert code == 1 and any("does not have" in e for e in _errors(report))
    assert main(["verify", str(case_path), "--expect-head", "12:nothex"]) == 2


def test_a_sidecar_quoting_a_head_the_chain_lacks_is_caught(case_path, capsys):
    [side] = list((case_path / "exports").rglob("*.png.json"))
    doc = json.loads(side.read_text(encoding="utf-8"))
    seq = int(doc["audit_head"].split(":")[0])
    doc["audit_head"] = f"{seq}:{'cd' * 32}"
    side.write_text(json.dumps(doc), encoding="utf-8")
    code, report = _verify(capsys, case_path)
    assert code == 1 and any(side.name in e and "rewritten" in e for e in _errors(report))


def test_the_state_at_an_earlier_head_is_rebuilt_from_the_chain(case_path):
    with open_case(case_path) as case:
        conn = case.read()
        [(lm_id, lat_before)] = conn.execute("SELECT id, lat_deg FROM landmark").fetchall()
        seq_before, _ = case.audit_head()
        case.write_sync(
            lambda c: (
                c.execute("UPDATE landmark SET lat_deg = 35.7 WHERE id = ?", (lm_id,)),
                case.log(c, "landmark.move", f"landmark:{lm_id}", {"lat_deg": 35.7}),
            )
        )
        then = binding.state_at(conn, seq_before)
        now = binding.state_at(conn, case.audit_head()[0])
    assert then.execute("SELECT lat_deg FROM landmark").fetchone()[0] == lat_before
    assert now.execute("SELECT lat_deg FROM landmark").fetchone()[0] == 35.7
    assert then.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == seq_before
    titles = then.execute("SELECT title FROM hypothesis").fetchall()
    assert titles == [("Strike site",)]


def test_a_write_without_its_own_audit_row_is_still_sealed(case_path, capsys):
    with open_case(case_path) as case:
        case.write_sync(lambda c: c.execute("UPDATE hypothesis SET rationale = 'shadows'"))
        last = audit.entries(case.read())[-1]
    assert last.action == "state" and last.state[0]["table"] == "hypothesis"
    code, report = _verify(capsys, case_path)
    assert code == 0, _errors(report)
