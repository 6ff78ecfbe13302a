"""`geoworkbench match` and `geoworkbench continuity` on files whose truth is known."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from analysis.errors import MediaTooLargeError, UnsupportedMediaError
from analysis.matching.geometry import apply_h
from analysis.matching.io import read_image
from tests.synth.matching import WarpSpec, make_pair
from workbench.cli import main


def small(media_data: Path, name: str, long_side: int = 560) -> np.ndarray:
    img = cv2.imread(str(media_data / name), cv2.IMREAD_COLOR)
    s = long_side / max(img.shape[:2])
    return cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)


def write(path: Path, img: np.ndarray) -> Path:
    ok, buf = cv2.imencode(path.suffix, img)
    assert ok
    path.write_bytes(buf.tobytes())
    return path


@pytest.fixture
def zoom_pair(media_data: Path, tmp_path: Path):
    """Two files with Unicode names: B is A zoomed 2x and turned 15 degrees."""
    a, b, h_true = make_pair(
        small(media_data, "pairs/DSC_0411.JPG"), WarpSpec(zoom=2.0, roll_deg=15)
    )
    pa = write(tmp_path / "façade ü 1.png", a)
    pb = write(tmp_path / "صورة 2.jpg", b)
    return pa, pb, h_true


def test_match_json_reports_the_truth(zoom_pair, tmp_path: Path, capsys) -> None:
    pa, pb, h_true = zoom_pair
    fig = tmp_path / "figure.png"
    as_of = ["--as-of", "2026-11-22T10:30:00Z"]
    code = main(["match", str(pa), str(pb), "--json", "--figure", str(fig), *as_of])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["verdict"] == "match"
    assert out["zoom_ratio"] == pytest.approx(2.0, rel=0.02)
    assert out["rotation_deg"] == pytest.approx(15.0, abs=1.0)
    assert out["inliers"] >= 15 and out["inliers"] <= out["matches"]
    h = np.array(out["homography"])
    probe = np.array([[100.0, 80.0], [300.0, 200.0]])
    assert np.allclose(apply_h(h, probe), apply_h(h_true, probe), atol=2.0)
    assert 0.2 < out["overlap"]["a_frac"] < 0.3 and out["overlap"]["b_frac"] > 0.95
    assert len(out["image_a"]["sha256"]) == 64
    drawn = cv2.imdecode(np.frombuffer(fig.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    assert drawn is not None and drawn.shape[0] == 720
    assert out["figure_sidecar"] == str(fig) + ".json"  # the one sidecar name rule
    side = json.loads(Path(out["figure_sidecar"]).read_text(encoding="utf-8"))
    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (pa, pb)]
    assert [s["source_sha256"] for s in side["sources"]] == shas
    assert [s["source_name"] for s in side["sources"]] == [pa.name, pb.name]
    assert side["outputs"][0]["sha256"] == hashlib.sha256(fig.read_bytes()).hexdigest()
    assert side["operations"][0] == {"op": "match", "params": {"method": "sift", "roi_xywh": None}}
    assert side["as_of_utc"] == "2026-11-22T10:30:00.000000Z" and side["audit_head"] is None


def test_viewpoint_says_same_position_for_a_zoom_from_one_place(zoom_pair, capsys) -> None:
    pa, pb, _ = zoom_pair  # B is A zoomed 2x and turned: one camera position, by construction
    assert main(["match", str(pa), str(pb), "--viewpoint", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)["viewpoint"]
    assert view["verdict"] == "same position", view["reason"]
    assert view["zoom_ratio"] == pytest.approx(2.0, rel=0.03)
    assert main(["match", str(pa), str(pb)]) == 0  # without the flag, no viewpoint work
    assert "  viewpoint: " not in capsys.readouterr().out


def test_match_with_roi_returns_the_box_in_b(zoom_pair, capsys) -> None:
    pa, pb, h_true = zoom_pair
    box = (200, 130, 90, 80)
    code = main(["match", str(pa), str(pb), "--roi", ",".join(map(str, box)), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    region = out["region"]
    assert region["verdict"] == "found" and 0.0 < region["confidence"] <= 1.0
    x, y, w, h = box
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float) - 0.5
    truth = apply_h(h_true, corners)
    assert np.linalg.norm(np.array(region["quad_b_px"]) - truth, axis=1).max() < 3.0


def test_match_text_output_of_unrelated_images(media_data: Path, tmp_path: Path, capsys) -> None:
    pa = write(tmp_path / "a.png", small(media_data, "satellite/sat_map_00.png"))
    pb = write(tmp_path / "b.png", np.full((300, 400, 3), 210, np.uint8))
    code = main(["match", str(pa), str(pb)])
    text = capsys.readouterr().out
    assert code == 0
    assert "no match" in text and "features in B" in text


def test_bad_files_and_arguments(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"this is not a JPEG")
    ok = write(tmp_path / "ok.png", np.zeros((50, 60, 3), np.uint8))
    assert main(["match", str(junk), str(ok)]) == 1
    assert "junk.jpg" in capsys.readouterr().err
    assert main(["match", str(ok), str(ok), "--roi", "1,2,3"]) == 2
    assert main(["match", str(ok), str(ok), "--roi", "50,40,30,30"]) == 2
    assert main(["match", str(tmp_path / "missing.png"), str(ok)]) == 1


def test_read_image_refuses_too_many_pixels_before_decoding(tmp_path: Path) -> None:
    p = write(tmp_path / "big.png", np.zeros((300, 400, 3), np.uint8))
    assert read_image(p).shape == (300, 400, 3)
    with pytest.raises(MediaTooLargeError, match="big.png"):
        read_image(p, max_pixels=100_000)
    text = tmp_path / "notes.png"
    text.write_text("not an image", encoding="utf-8")
    with pytest.raises(UnsupportedMediaError, match="notes.png"):
        read_image(text)


def _write_two_segment_video(path: Path, first: np.ndarray, second: np.ndarray, n: int) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(25, 1))
        stream.width, stream.height = first.shape[1], first.shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18"}
        for img in [first] * n + [second] * n:
            frame = av.VideoFrame.from_ndarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), "rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def test_continuity_of_a_cut_with_a_zoom(media_data: Path, tmp_path: Path, capsys) -> None:
    """Two shots either side of a hard cut at frame 12: same place, the second zoomed 1.5x."""
    img = small(media_data, "pairs/DSC_0410.JPG", 480)[:320]
    a, b, _ = make_pair(img, WarpSpec(zoom=1.5))
    video = tmp_path / "cut.mp4"
    _write_two_segment_video(video, a, b, 12)
    code = main(["continuity", str(video), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [s["first_frame"] for s in out["segments"]] == [0, 12]
    (pair,) = out["continuity"]
    assert pair["verdict"] == "same position", pair["reason"]
    assert pair["zoom_ratio"] == pytest.approx(1.5, rel=0.03)
    assert "shadows" in pair["note"]
