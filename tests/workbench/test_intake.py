"""Evidence intake: hashing, read-only storage, deduplication, kind by content, bad input."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from analysis.errors import MediaError
from analysis.jobs import CancelToken, JobCancelled
from tests.synth.media_factory import make_jpeg, make_png_bomb_header, make_video
from workbench.case import audit, create_case, open_case
from workbench.case.evidence import get_source, list_evidence, list_notes
from workbench.case.intake import import_file, import_files
from workbench.case.verify import verify_case

REPO = Path(__file__).resolve().parents[2]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def evidence_files(case) -> list[str]:
    return sorted(p.name for p in case.evidence_dir.iterdir() if p.is_file())


@pytest.fixture
def case(tmp_path):
    with create_case(tmp_path / "c", analyst="Analyst A") as c:
        yield c


def test_real_photos_are_hashed_stored_read_only_and_logged(case, media_data):
    photo = media_data / "photos" / "gps" / "DSCN0010.jpg"
    result = import_file(case, photo, source_url="https://example.org/p", note="first look")
    assert result.sha256 == sha(photo)
    stored = case.evidence_dir / f"{result.sha256}.jpg"
    assert stored.read_bytes() == photo.read_bytes()
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    [item] = list_evidence(case.read())
    assert item.kind == "image" and item.original_name == "DSCN0010.jpg"
    assert item.metadata["file_name"] == "DSCN0010.jpg"
    assert 43.46 < item.metadata["gps"]["latitude_deg"] < 43.47
    assert item.has_gps
    assert get_source(case.read(), item.id).url == "https://example.org/p"
    assert [n.body for n in list_notes(case.read(), item.id)] == ["first look"]
    actions = [e.action for e in audit.entries(case.read())]
    assert actions == ["case.create", "evidence.import", "note.add"]
    assert audit.entries(case.read())[1].actor == "Analyst A"


def test_same_bytes_twice_is_one_evidence_with_both_names(case, tmp_path):
    a = make_jpeg(tmp_path / "a.jpg")
    b = tmp_path / "copy of a.jpg"
    shutil.copy(a, b)
    first = import_file(case, a)
    second = import_file(case, b)
    assert second.already_present and second.id == first.id
    [item] = list_evidence(case.read())
    assert item.other_names == ("copy of a.jpg",)
    assert len(evidence_files(case)) == 1


def test_kind_and_extension_come_from_content_not_name(case, tmp_path):
    jpeg_named_mp4 = make_jpeg(tmp_path / "clip.mp4")
    video_named_jpg = make_video(tmp_path / "photo.jpg", fmt="mp4")
    r1 = import_file(case, jpeg_named_mp4)
    r2 = import_file(case, video_named_jpg)
    assert (r1.kind, r1.stored_name.rsplit(".", 1)[1]) == ("image", "jpg")
    assert (r2.kind, r2.stored_name.rsplit(".", 1)[1]) == ("video", "mp4")
    meta = list_evidence(case.read())[1].metadata
    assert meta["kind"] == "video"


def test_unicode_names_are_kept_exactly(case, tmp_path):
    name = unicodedata.normalize("NFD", "قصف مدرسة حاس ٢٠١٦ café.jpg")
    src = make_jpeg(tmp_path / name)
    import_file(case, src)
    [item] = list_evidence(case.read())
    assert item.original_name == src.name


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda d: (d / "notes.jpg").write_text("just some text\n") and d / "notes.jpg",
            "notes.jpg",
        ),
        (lambda d: make_png_bomb_header(d / "bomb.png"), "bomb.png"),
        (lambda d: (d / "empty.mp4").write_bytes(b"") or d / "empty.mp4", "empty.mp4"),
    ],
)
def test_bad_files_are_refused_with_their_name_and_nothing_added(case, tmp_path, make, match):
    bad = make(tmp_path)
    log_before = audit.head(case.read())
    with pytest.raises(MediaError, match=match) as info:
        import_file(case, bad)
    assert str(bad) in str(info.value)
    assert ".part" not in str(info.value)
    assert list_evidence(case.read()) == []
    assert evidence_files(case) == []
    assert list(case.incoming_dir.iterdir()) == []
    assert audit.head(case.read()) == log_before


def test_truncated_video_is_refused(case, tmp_path):
    good = make_video(tmp_path / "good.mp4", frames=60, fmt="mp4")
    data = good.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(MediaError, match="cut.mp4"):
        import_file(case, cut)
    assert list_evidence(case.read()) == []


def test_batch_import_keeps_good_files_and_reports_bad_ones(case, tmp_path):
    good = make_jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really")
    report = import_files(case, [good, bad, tmp_path / "missing.jpg"])
    assert [e.original_name for e in report.imported] == ["good.jpg"]
    assert [f.path.name for f in report.failed] == ["bad.jpg", "missing.jpg"]
    assert all(f.path.name in f.reason for f in report.failed)


def test_broken_exif_samples_give_partial_metadata_or_clear_errors(case, media_data):
    files = sorted((media_data / "photos" / "broken").iterdir())
    report = import_files(case, files)
    assert len(report.imported) + len(report.failed) == len(files)
    for failure in report.failed:
        assert failure.path.name in failure.reason
    assert verify_case(case).ok


def test_cancel_mid_copy_adds_nothing(case, tmp_path):
    src = tmp_path / "big.jpg"
    make_jpeg(src, size=(2000, 1500))
    with src.open("ab") as f:  # trailing bytes after the JPEG: still a valid JPEG to readers
        f.write(os.urandom(12 * 1024 * 1024))
    token = CancelToken()

    def progress(fraction: float, _msg: str) -> None:
        if fraction > 0.2:
            token.cancel()

    with pytest.raises(JobCancelled):
        import_file(case, src, progress=progress, cancel=token)
    assert list_evidence(case.read()) == [] and evidence_files(case) == []
    assert list(case.incoming_dir.iterdir()) == []


def _run_and_die(code: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr


@pytest.mark.parametrize("moment", ["mid-copy", "before-commit"])
def test_kill_9_during_import_leaves_a_case_that_opens_and_verifies(tmp_path, moment):
    case_dir = tmp_path / "c.gwcase"
    create_case(case_dir).close()
    src = make_jpeg(tmp_path / "photo.jpg", size=(1200, 900))
    with src.open("ab") as f:
        f.write(os.urandom(9 * 1024 * 1024))
    _run_and_die(f"""
        import os, signal
        from workbench.case import open_case
        from workbench.case import intake
        intake.CHUNK_BYTES = 1024 * 1024
        case = open_case({str(case_dir)!r})
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        def progress(fraction, msg):
            if fraction > 0.5:
                die()
        if {moment!r} == "before-commit":
            intake._record = die
            progress = None
        intake.import_file(case, {str(src)!r}, progress=progress)
    """)
    with open_case(case_dir) as case:
        assert list_evidence(case.read()) == []
        assert list(case.incoming_dir.iterdir()) == []
        report = verify_case(case)
        assert report.ok, report.findings
        if moment == "before-commit":
            assert [f.severity for f in report.findings] == ["warning"]
        again = import_file(case, src)  # the unrecorded copy is adopted after its hash checks
        assert again.sha256 == sha(src) and not again.already_present
        assert verify_case(case).findings == ()
