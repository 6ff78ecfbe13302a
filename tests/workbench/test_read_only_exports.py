"""The CLI's exports while another process (the GUI) holds the case for writing: written with
their provenance from a read-only opening, not recorded in the case's log, and said so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synth.media_factory import make_video
from workbench import geodata
from workbench.case import audit, create_case, open_case
from workbench.case.intake import import_file
from workbench.frame_table_store import load_or_build_frame_table

ROOT = Path(__file__).resolve().parents[2]


def cli(*argv: str) -> subprocess.CompletedProcess:
    """The CLI in another process: the lock it meets is a real OS file lock."""
    code = "import sys; from workbench import cli; sys.exit(cli.main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def video_case(tmp_path):
    path = tmp_path / "held.gwcase"
    with create_case(path) as case:
        e = import_file(case, make_video(tmp_path / "clip.mp4", fmt="mp4"))
        load_or_build_frame_table(case, e.id)
        geodata.add_landmark(case, "Water tower", 35.6205, 36.5533).result()
    return path, e.sha256


def test_geojson_export_of_a_held_case(video_case, tmp_path):
    path, _ = video_case
    out = tmp_path / "held.geojson"
    with open_case(path) as held:
        rows = len(audit.entries(held.read()))
        head = ":".join(map(str, held.audit_head()))
        done = cli("export", str(path), "--geojson", str(out), "--json")
        assert done.returncode == 0, done.stderr
        assert "not record this export" in done.stderr
        assert len(audit.entries(held.read())) == rows  # nothing written into the case
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["geoworkbench"]["audit_head"] == head
    assert json.loads(done.stdout)["recorded"] is False


def test_frames_export_of_a_held_case(video_case):
    path, sha = video_case
    with open_case(path) as held:
        before = held.read().execute("SELECT COUNT(*) FROM frame_export").fetchone()[0]
        done = cli("frames", str(path), sha[:8], "--every", "1", "--json")
        assert done.returncode == 0, done.stderr
        after = held.read().execute("SELECT COUNT(*) FROM frame_export").fetchone()[0]
        head = ":".join(map(str, held.audit_head()))
    assert before == after == 0
    frames = json.loads(done.stdout)["frames"]
    assert frames and all(not f["recorded"] for f in frames)
    sidecar = json.loads(Path(frames[0]["sidecar"]).read_text(encoding="utf-8"))
    assert sidecar["audit_head"] == head
    assert Path(frames[0]["png"]).is_file()


def test_segment_frames_of_a_held_case_without_segments_say_what_to_do(video_case):
    path, sha = video_case
    with open_case(path):
        done = cli("frames", str(path), sha[:8], "--segments")
    assert done.returncode == 1
    assert "detect the cuts there first" in done.stderr
