"""File names that are not valid UTF-8 (issue 12): kept losslessly, shown safely, and one bad
file never stops a batch. ``caf\\xe9.jpg`` (Latin-1 bytes) crashed import with
UnicodeEncodeError and left an unrecorded original in evidence/."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.synth.media_factory import make_jpeg, make_video
from workbench import cli
from workbench.case import audit, create_case, open_case
from workbench.case.evidence import list_evidence, original_name_bytes
from workbench.case.intake import import_file, import_files
from workbench.case.verify import verify_case
from workbench.file_names import display_name, name_bytes, name_bytes_hex, os_name

RAW = b"caf\xe9.jpg"  # Latin-1 "café.jpg": not valid UTF-8


def raw_path(folder: Path, raw: bytes) -> Path:
    """A path whose last part is the raw bytes ``raw`` (skips where the file system refuses)."""
    path = Path(os.fsdecode(os.fsencode(folder) + b"/" + raw))
    try:
        path.touch()
    except (OSError, UnicodeError):
        pytest.skip("this file system does not accept names that are not valid UTF-8")
    path.unlink()
    return path


@pytest.fixture
def case(tmp_path):
    with create_case(tmp_path / "c", analyst="Analyst A") as c:
        yield c


def test_the_name_helpers_round_trip():
    name = os.fsdecode(RAW)
    assert display_name(name) == "caf\ufffd.jpg"
    assert name_bytes_hex(name) == RAW.hex()
    assert name_bytes(display_name(name), name_bytes_hex(name)) == RAW
    assert os_name(display_name(name), name_bytes_hex(name)) == name
    assert name_bytes_hex("café.jpg") is None and display_name("café.jpg") == "café.jpg"
    assert name_bytes("café.jpg", None) == "café.jpg".encode()


def test_a_name_that_is_not_utf8_is_imported_and_round_trips(case, tmp_path):
    src = make_jpeg(raw_path(tmp_path, RAW))
    result = import_file(case, src)
    assert result.original_name == "caf\ufffd.jpg"
    [item] = list_evidence(case.read())
    assert item.original_name == "caf\ufffd.jpg"
    assert item.metadata["file_name"] == "caf\ufffd.jpg"
    assert original_name_bytes(case.read(), item.id) == RAW
    assert os.fsencode(src.name) == RAW
    [row] = [e for e in audit.entries(case.read()) if e.action == "evidence.import"]
    assert row.details["name"] == "caf\ufffd.jpg" and row.details["name_bytes_hex"] == RAW.hex()
    assert verify_case(case).findings == ()


def test_another_name_for_the_same_bytes_keeps_its_raw_bytes_too(case, tmp_path):
    good = make_jpeg(tmp_path / "plain.jpg")
    other = raw_path(tmp_path, b"copie \xff.jpg")
    other.write_bytes(good.read_bytes())
    import_file(case, good)
    again = import_file(case, other)
    assert again.already_present
    row = case.read().execute("SELECT name, name_bytes_hex FROM evidence_name WHERE name != ?",
                              ("plain.jpg",)).fetchone()  # fmt: skip
    assert row == ("copie \ufffd.jpg", b"copie \xff.jpg".hex())
    assert original_name_bytes(case.read(), again.id) == b"plain.jpg"
    assert verify_case(case).findings == ()


def test_a_batch_goes_on_past_a_failing_file_and_reports_each(case, tmp_path):
    first = make_jpeg(tmp_path / "first.jpg", colour=(1, 2, 3))
    odd = make_jpeg(raw_path(tmp_path, RAW), colour=(4, 5, 6))
    broken = raw_path(tmp_path, b"bad\xfe.jpg")
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    last = make_jpeg(tmp_path / "last.jpg", colour=(7, 8, 9))
    report = import_files(case, [first, odd, broken, tmp_path / "missing.jpg", last])
    assert [e.original_name for e in report.imported] == ["first.jpg", "caf\ufffd.jpg", "last.jpg"]
    assert [f.path for f in report.failed] == [broken, tmp_path / "missing.jpg"]
    for failure in report.failed:
        assert display_name(failure.path.name) in failure.reason
        failure.reason.encode("utf-8")  # a reason can be shown and stored
    stored = {p.name for p in case.evidence_dir.iterdir() if p.is_file()}
    assert stored == {e.stored_name for e in report.imported}
    assert verify_case(case).findings == ()


def test_cli_import_reports_each_failure_and_exits_1(tmp_path, capsys):
    case_dir = tmp_path / "c.gwcase"
    create_case(case_dir).close()
    odd = make_jpeg(raw_path(tmp_path, RAW))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"nothing")
    good = make_jpeg(tmp_path / "good.jpg", colour=(9, 9, 9))
    assert cli.main(["import", str(case_dir), str(odd), str(broken), str(good), "--json"]) == 1
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert [e["name"] for e in data["imported"]] == ["caf\ufffd.jpg", "good.jpg"]
    assert [os.fsencode(Path(f["file"]).name) for f in data["failed"]] == [b"broken.jpg"]
    with open_case(case_dir, read_only=True) as case:
        assert verify_case(case).ok


def test_frame_on_a_video_whose_name_is_not_utf8_writes_png_and_sidecar(tmp_path, capsys):
    video = make_video(raw_path(tmp_path, b"clip\xe9.mp4"), frames=6, fmt="mp4")
    out = tmp_path / "f.png"
    assert cli.main(["frame", str(video), "--index", "2", "-o", str(out)]) == 0
    sidecar = json.loads((tmp_path / "f.png.json").read_text(encoding="utf-8"))
    [source] = sidecar["sources"]
    assert source["source_name"] == "clip\ufffd.mp4"
    assert bytes.fromhex(sidecar["details"]["source_name_bytes_hex"]) == b"clip\xe9.mp4"
    assert out.is_file()


def test_match_figure_with_names_that_are_not_utf8(tmp_path, capsys):
    a = make_jpeg(raw_path(tmp_path, b"a\xe9.jpg"), size=(120, 90))
    b = make_jpeg(raw_path(tmp_path, b"b\xe9.jpg"), size=(120, 90))
    fig = raw_path(tmp_path, b"fig\xe9.png")
    assert cli.main(["match", str(a), str(b), "--figure", str(fig), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert os.fsencode(Path(data["image_a"]["path"]).name) == b"a\xe9.jpg"
    assert fig.is_file()
