"""A crash while placing evidence never leaves a false tamper alarm, and what a crash leaves
is cleaned on the next open for writing and named by verify until then (issue 12: a kill at
the chmod left a 0644 original that the re-import reused, and verify then reported "the file
is writable" for ever; exports/frames/.*.tmp were never cleaned or mentioned)."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analysis.errors import WorkbenchError
from tests.synth.media_factory import make_jpeg
from workbench.case import create_case, open_case
from workbench.case import intake as intake_module
from workbench.case.evidence import list_evidence
from workbench.case.intake import import_file, import_files
from workbench.case.recovery import QUARANTINE_DIR
from workbench.case.verify import verify_case

REPO = Path(__file__).resolve().parents[2]
STEPS = ["copied", "chmod", "rename", "placed", "recorded"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _import_and_die_at(case_dir: Path, src: Path, step: str) -> None:
    code = f"""
        import os, signal
        from workbench.case import intake, open_case
        def hook(name):
            if name == {step!r}:
                os.kill(os.getpid(), signal.SIGKILL)
        intake.fault_hook = hook
        case = open_case({str(case_dir)!r})
        intake.import_file(case, {str(src)!r})
    """
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr


def _errors(report) -> list:
    return [f for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_of_placing_leaves_no_false_alarm(tmp_path, step):
    case_dir = tmp_path / "c.gwcase"
    create_case(case_dir).close()
    src = make_jpeg(tmp_path / "photo.jpg", size=(320, 240))
    _import_and_die_at(case_dir, src, step)
    with open_case(case_dir, read_only=True) as case:  # before any repair: verify names it
        before = verify_case(case)
        assert _errors(before) == [], before.findings
    with open_case(case_dir) as case:
        assert list(case.incoming_dir.iterdir()) == []
        report = verify_case(case)
        assert _errors(report) == [], report.findings
        stored = case.evidence_dir / f"{sha(src)}.jpg"
        if step == "recorded":  # the import had committed: nothing to repair
            assert report.findings == ()
        again = import_file(case, src)
        assert again.sha256 == sha(src)
        assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert verify_case(case).findings == ()
        assert not (case.evidence_dir / QUARANTINE_DIR / stored.name).exists()


def test_a_writable_unrecorded_original_from_an_older_crash_is_set_aside(tmp_path):
    """What the old order (rename, then chmod) left behind after a kill at the chmod."""
    case_dir = tmp_path / "c.gwcase"
    create_case(case_dir).close()
    src = make_jpeg(tmp_path / "photo.jpg")
    left = case_dir / "evidence" / f"{sha(src)}.jpg"
    left.write_bytes(src.read_bytes())
    left.chmod(0o644)
    with open_case(case_dir, read_only=True) as case:
        [finding] = verify_case(case).findings
        assert finding.severity == "warning" and finding.where == str(left)
        assert "no record" in finding.problem
    with open_case(case_dir) as case:
        assert not left.exists()
        [finding] = verify_case(case).findings
        assert finding.severity == "warning" and QUARANTINE_DIR in finding.where
        import_file(case, src)
        assert not left.stat().st_mode & stat.S_IWUSR
        assert verify_case(case).findings == ()


def test_an_unknown_file_in_evidence_is_quarantined_never_deleted(tmp_path):
    case_dir = tmp_path / "c.gwcase"
    create_case(case_dir).close()
    stray = case_dir / "evidence" / "notes.txt"
    stray.write_text("someone's bytes")
    with open_case(case_dir) as case:
        kept = case.evidence_dir / QUARANTINE_DIR / "notes.txt"
        assert kept.read_text() == "someone's bytes" and not stray.exists()
        [finding] = verify_case(case).findings
        assert finding.where == str(kept) and finding.severity == "warning"
        assert verify_case(case).ok


def test_temporaries_are_named_by_verify_and_removed_on_open(tmp_path):
    case_dir = tmp_path / "c.gwcase"
    create_case(case_dir).close()
    frames = case_dir / "exports" / "frames"
    frames.mkdir(parents=True)
    tmp_png = frames / ".abc_f3.png.x1y2z3.tmp"
    tmp_png.write_bytes(b"half a png")
    thumb = case_dir / "derived" / "thumbs" / "abc.tmp.png"
    thumb.parent.mkdir(parents=True)
    thumb.write_bytes(b"half a thumbnail")
    part = case_dir / "evidence" / ".incoming" / "0123.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"half an import")
    keep = frames / "abc_f3.png"
    keep.write_bytes(b"a real export")
    with open_case(case_dir, read_only=True) as case:
        report = verify_case(case)
        named = {f.where: f for f in report.findings}
        assert set(named) == {str(tmp_png), str(thumb), str(part)}
        assert all(f.severity == "warning" for f in report.findings) and report.ok
        assert "temporary" in named[str(tmp_png)].problem
    with open_case(case_dir) as case:
        assert not tmp_png.exists() and not thumb.exists() and not part.exists()
        assert keep.read_bytes() == b"a real export"
        assert verify_case(case).findings == ()


def test_a_failed_record_takes_its_placed_file_back_and_the_batch_goes_on(tmp_path, monkeypatch):
    first = make_jpeg(tmp_path / "first.jpg", colour=(1, 1, 1))
    second = make_jpeg(tmp_path / "second.jpg", colour=(2, 2, 2))
    real_record = intake_module._record

    def record(conn, case, names, *args):
        if names[0] == "first.jpg":
            raise WorkbenchError("first.jpg: the record could not be written (test)")
        return real_record(conn, case, names, *args)

    monkeypatch.setattr(intake_module, "_record", record)
    with create_case(tmp_path / "c") as case:
        report = import_files(case, [first, second])
        assert [e.original_name for e in report.imported] == ["second.jpg"]
        assert [f.path for f in report.failed] == [first]
        files = sorted(p.name for p in case.evidence_dir.iterdir() if p.is_file())
        assert files == [f"{sha(second)}.jpg"]
        assert [e.original_name for e in list_evidence(case.read())] == ["second.jpg"]
        assert verify_case(case).findings == ()


def test_a_different_file_under_the_final_name_stops_the_import(tmp_path):
    src = make_jpeg(tmp_path / "photo.jpg")
    with create_case(tmp_path / "c") as case:
        impostor = case.evidence_dir / f"{sha(src)}.jpg"
        impostor.write_bytes(b"not the same bytes")
        os.chmod(impostor, 0o444)
        with pytest.raises(WorkbenchError, match="does not match its hash"):
            import_file(case, src)
        assert impostor.read_bytes() == b"not the same bytes"
        assert list_evidence(case.read()) == []
