"""Flash location against synthetic frames and a synthetic video with a known flash."""

from __future__ import annotations

import av
import numpy as np
import pytest

from analysis.video.flash import find_flash, locate_flash


def _scene(h=120, w=160, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(40, 90, (h, w, 3), dtype=np.uint8)


def _with_flash(img: np.ndarray, cx: int, cy: int, r: int = 6) -> np.ndarray:
    out = img.copy()
    yy, xx = np.ogrid[: img.shape[0], : img.shape[1]]
    out[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = 255
    return out


def test_locate_flash_finds_the_centre_of_a_disc():
    base = _scene()
    x, y, area = locate_flash(base, _with_flash(base, 101, 37))
    assert abs(x - 101) < 0.5 and abs(y - 37) < 0.5
    assert 80 < area < 140  # a disc of radius 6 has about 113 pixels


def test_core_is_found_through_a_global_wash_out():
    base = _scene()
    washed = (base + (255 - base.astype(float)) * 0.62).astype(np.uint8)  # glare: dark rise most
    x, y, _area = locate_flash(base, _with_flash(washed, 30, 90, r=4))
    assert abs(x - 30) < 1.0 and abs(y - 90) < 1.0


def test_nothing_brightened_is_an_error():
    base = _scene()
    with pytest.raises(ValueError, match="nothing brightened"):
        locate_flash(base, base)


def test_find_flash_in_a_video(tmp_path):
    path = tmp_path / "flash.mp4"
    base = _scene(seed=1)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.options = {"crf": "10"}
        for n in range(30):
            img = _with_flash(base, 52, 80, r=10) if n == 17 else base
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    flash = find_flash(path)
    assert flash.frame_index == 17
    assert abs(flash.x_px - 52) < 1.0 and abs(flash.y_px - 80) < 1.0
