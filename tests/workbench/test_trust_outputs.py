"""No command writes into a case's evidence/; no output replaces a file without --force, and
never a read-only one (issue 12: ``export --kml C/evidence/<sha>.jpg`` replaced an original)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.synth.media_factory import make_jpeg, make_video
from workbench import cli
from workbench.case import create_case, open_case
from workbench.case.intake import import_file
from workbench.case.verify import verify_case
from workbench.output_guard import OutputRefusedError, check_output, evidence_folder_of

RAYS = ["--ray", "35.62,36.50,90,1", "--ray", "35.60,36.55,0,1"]


@dataclass(frozen=True)
class Setup:
    case: Path
    photo: Path  # the stored original of an image
    clip: Path  # the stored original of a video
    video: Path  # a video outside the case
    image: Path  # an image outside the case


@pytest.fixture
def setup(tmp_path) -> Setup:
    video = make_video(tmp_path / "clip.mp4", frames=12, fmt="mp4")
    image = make_jpeg(tmp_path / "photo.jpg", size=(160, 120))
    with create_case(tmp_path / "c.gwcase") as case:
        p = import_file(case, image)
        v = import_file(case, video)
        return Setup(
            case.path, case.evidence_dir / p.stored_name, case.evidence_dir / v.stored_name,
            video, image,
        )  # fmt: skip


def _commands(s: Setup, target: Path) -> dict[str, list[str]]:
    """Each command that writes a file the user names, writing ``target``."""
    return {
        "frame": ["frame", str(s.video), "--index", "3", "-o", str(target)],
        "export-kml": ["export", str(s.case), "--kml", str(target)],
        "export-geojson": ["export", str(s.case), "--geojson", str(target)],
        "match-figure": ["match", str(s.image), str(s.image), "--figure", str(target)],
        "triangulate-figure": ["triangulate", *RAYS, "--figure", str(target)],
    }


COMMANDS = ["frame", "export-kml", "export-geojson", "match-figure", "triangulate-figure"]


def _evidence_state(case: Path) -> dict[str, tuple[bytes, int]]:
    folder = case / "evidence"
    return {
        p.name: (p.read_bytes(), p.stat().st_mode) for p in sorted(folder.iterdir()) if p.is_file()
    }


def _refused(capsys, argv: list[str], *, name: str) -> str:
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0] and "refused" in lines[0]
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("force", [False, True])
def test_no_command_replaces_an_original(setup, capsys, command, force):
    before = _evidence_state(setup.case)
    for original in (setup.photo, setup.clip):
        argv = _commands(setup, original)[command] + (["--force"] if force else [])
        line = _refused(capsys, argv, name=original.name)
        assert "evidence folder" in line
    assert _evidence_state(setup.case) == before
    with open_case(setup.case, read_only=True) as case:
        assert verify_case(case).findings == ()


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_writes_a_new_file_into_evidence(setup, capsys, command):
    before = _evidence_state(setup.case)
    target = setup.case / "evidence" / "new_output.png"
    _refused(capsys, _commands(setup, target)[command] + ["--force"], name="new_output.png")
    assert _evidence_state(setup.case) == before
    assert not target.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_evidence_reached_through_a_symlink_is_refused(setup, capsys, tmp_path, command):
    link = tmp_path / "innocent"
    link.symlink_to(setup.case / "evidence", target_is_directory=True)
    before = _evidence_state(setup.case)
    _refused(capsys, _commands(setup, link / setup.photo.name)[command] + ["--force"],
             name=setup.photo.name)  # fmt: skip
    file_link = tmp_path / "out.png"
    file_link.symlink_to(setup.photo)
    _refused(capsys, _commands(setup, file_link)[command] + ["--force"], name="out.png")
    assert _evidence_state(setup.case) == before


def test_an_evidence_folder_that_is_itself_a_link_is_refused(tmp_path):
    real = tmp_path / "store"
    real.mkdir()
    case = tmp_path / "x.gwcase"
    case.mkdir()
    (case / "evidence").symlink_to(real, target_is_directory=True)
    with pytest.raises(OutputRefusedError, match="evidence folder"):
        check_output(case / "evidence" / "a.png", replace=True)
    # A folder named evidence next to a case.sqlite, whatever the case folder's name.
    other = tmp_path / "plain"
    (other / "evidence").mkdir(parents=True)
    (other / "case.sqlite").write_bytes(b"")
    assert evidence_folder_of(other / "evidence" / "deeper" / "a.png") == other / "evidence"
    # A folder called evidence that belongs to no case is an ordinary folder.
    (tmp_path / "mine" / "evidence").mkdir(parents=True)
    assert check_output(tmp_path / "mine" / "evidence" / "a.png") is not None


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_file_needs_force_and_a_read_only_one_is_never_replaced(
    setup, capsys, tmp_path, command
):
    target = tmp_path / "out" / "existing.png"
    target.parent.mkdir()
    target.write_bytes(b"mine")
    argv = _commands(setup, target)[command]
    line = _refused(capsys, argv, name="existing.png")
    assert "--force" in line
    assert target.read_bytes() == b"mine"
    assert cli.main([*argv, "--force"]) in (0, 1)  # triangulate exits 1 without an ellipse
    capsys.readouterr()
    assert target.read_bytes() != b"mine"
    target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    written = target.read_bytes()
    line = _refused(capsys, [*argv, "--force"], name="existing.png")
    assert "read-only" in line
    assert target.read_bytes() == written


def test_an_existing_sidecar_needs_force_too(setup, capsys, tmp_path):
    out = tmp_path / "f.png"
    (tmp_path / "f.png.json").write_text("{}")
    _refused(capsys, ["frame", str(setup.video), "--index", "0", "-o", str(out)], name="f.png.json")
    assert not out.exists()


def test_scenario_refuses_evidence_and_needs_force_over_its_files(setup, capsys, tmp_path):
    _refused(capsys, ["scenario", str(setup.case / "evidence" / "sub"), "--quick"], name="sub")
    assert not (setup.case / "evidence" / "sub").exists()
    out = tmp_path / "scene"
    out.mkdir()
    (out / "truth.json").write_text("{}")
    _refused(capsys, ["scenario", str(out), "--quick"], name="truth.json")
    assert (out / "truth.json").read_text() == "{}"


def test_demo_refuses_a_folder_inside_evidence(setup, capsys):
    target = setup.case / "evidence" / "demo"
    _refused(capsys, ["demo", "--no-gui", "--dir", str(target)], name="demo")
    assert not target.exists()


def test_frames_never_write_through_a_link_into_evidence(setup, capsys):
    """A case whose exports/frames was replaced by a link to evidence/ gets nothing written."""
    frames = setup.case / "exports" / "frames"
    if frames.exists():
        os.rmdir(frames)
    frames.symlink_to(setup.case / "evidence", target_is_directory=True)
    before = _evidence_state(setup.case)
    sha = setup.clip.stem
    assert cli.main(["frames", str(setup.case), sha[:12], "--every", "1"]) == 1
    assert "evidence folder" in capsys.readouterr().err
    assert _evidence_state(setup.case) == before
