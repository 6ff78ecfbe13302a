"""The video subcommands on small synthetic videos with known content."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from analysis.video.table import build_frame_table
from tests.synth.video import SynthSpec, read_barcode, textured, write_video
from workbench import cli

X264_OPTS = (("x264-params", "keyint=12:min-keyint=12:scenecut=0:bframes=2"),)


@pytest.fixture(scope="module")
def barcoded(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("vc") / "bar.mp4", SynthSpec(options=X264_OPTS))


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """Two shots with a hard cut at frame 20 (different textures and colour casts)."""

    def scene(i: int) -> np.ndarray:
        if i < 20:
            return textured(i, seed=1)
        img = textured(i, seed=2).astype(np.float32) * np.array([1.0, 0.45, 0.3])
        return img.astype(np.uint8)

    spec = SynthSpec(frames=40, options=X264_OPTS)
    return write_video(tmp_path_factory.mktemp("vc") / "edit.mkv", spec, scene, barcode=False)


def test_cuts_json(edited, capsys):
    assert cli.main(["cuts", str(edited), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(c["frame"], c["kind"]) for c in data["cuts"]] == [(20, "cut")]
    assert data["cuts"][0]["pts_s"] == pytest.approx(0.8)
    assert 0 < data["cuts"][0]["score"] <= 1
    assert [(s["first_frame"], s["last_frame"]) for s in data["segments"]] == [(0, 19), (20, 39)]
    assert data["frame_count"] == 40


def test_cuts_text(edited, capsys):
    assert cli.main(["cuts", str(edited)]) == 0
    out = capsys.readouterr().out
    assert "cut" in out and "frame     20" in out and "segment 2: frames 20-39" in out


@pytest.mark.parametrize("how", [["--index", "37"], ["--time", "1.49"]])
def test_frame_writes_exact_png_and_sidecar(barcoded, tmp_path, capsys, how):
    out = tmp_path / "f.png"
    assert cli.main(["frame", str(barcoded), *how, "-o", str(out)]) == 0
    image = np.asarray(Image.open(out).convert("RGB"))
    assert read_barcode(image) == 37  # 1.49 s at 25 fps is frame 37 (1.48 s)
    side = json.loads((tmp_path / "f.png.json").read_text())
    table = build_frame_table(barcoded)
    [source] = side["sources"]
    assert source["frame_index"] == 37
    assert source["frame_md5"] == table.frames[37].md5
    assert source["pts_s"] == pytest.approx(1.48)
    assert source["pts"] == table.frames[37].pts and source["time_base"] == list(table.time_base)
    assert side["details"]["time_code"] == "00:00:01.480"
    assert side["outputs"] == [
        {"role": "frame", "file": "f.png", "sha256": hashlib.sha256(out.read_bytes()).hexdigest()}
    ]
    assert source["source_sha256"] == hashlib.sha256(barcoded.read_bytes()).hexdigest()
    assert side["audit_head"] is None  # no case
    assert "libavcodec" in side["software"]["libraries"]
    assert side["software"]["name"] == "geoworkbench"


def test_frame_errors(barcoded, tmp_path, capsys):
    assert cli.main(["frame", str(barcoded), "--index", "999", "-o", str(tmp_path / "x.png")]) == 1
    assert "out of range" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
    assert cli.main(["frame", str(tmp_path / "none.mp4"), "--index", "0", "-o", "y.png"]) == 1
    assert "none.mp4" in capsys.readouterr().err
    assert cli.main(["frame", str(barcoded), "-o", "z.png"]) == 2  # --index or --time needed


def test_framemd5_lists_every_frame(barcoded, capsys):
    assert cli.main(["framemd5", str(barcoded)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "#format: frame checksums"
    rows = [ln for ln in lines if not ln.startswith("#")]
    table = build_frame_table(barcoded)
    assert [r.split(",")[-1].strip() for r in rows] == [f.md5 for f in table.frames]
    assert [int(r.split(",")[2]) for r in rows] == list(range(60))  # pts at 1/25 s


def test_registering_does_not_import_heavy_modules():
    code = (
        "import argparse, sys; from workbench.commands import video_commands as v; "
        "v.register(argparse.ArgumentParser().add_subparsers()); "
        "print(sorted(m for m in ('av', 'cv2', 'numpy', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
