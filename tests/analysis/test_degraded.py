"""Degraded-media detectors against synthetic pictures with known truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from analysis.errors import MediaError
from analysis.media.degraded import (
    assess_segments,
    blockiness,
    effective_scale,
    find_active_area,
    find_static_overlay,
    frame_flags,
    scan_frame_flags,
    segment_quality,
)


def scene(i: int, w: int = 320, h: int = 180, seed: int = 3, sigma: float = 1.2) -> np.ndarray:
    """Sharp, grid-free textured RGB picture moving 5 px per frame."""
    rng = np.random.default_rng(seed)
    big = rng.integers(0, 256, size=(h, w + 200, 3)).astype(np.uint8)
    big = cv2.GaussianBlur(big, (0, 0), sigma)
    big = cv2.normalize(big, None, 0, 255, cv2.NORM_MINMAX)
    return np.ascontiguousarray(big[:, 5 * i : 5 * i + w])


def test_letterbox_and_mapping_back():
    frames = []
    for i in range(5):
        f = np.zeros((240, 320, 3), np.uint8)
        f[30:210] = scene(i)
        frames.append(f)
    area = find_active_area(frames)
    assert (area.kind, area.x, area.y, area.width_px, area.height_px) == (
        "letterbox", 0, 30, 320, 180
    )  # fmt: skip
    assert area.to_original(10, 5) == (10, 35)
    assert np.array_equal(area.crop(frames[2]), scene(2))


def test_pillarbox():
    frames = []
    for i in range(5):
        f = np.zeros((180, 400, 3), np.uint8)
        f[:, 40:360] = scene(i)
        frames.append(f)
    area = find_active_area(frames)
    assert (area.kind, area.x, area.width_px) == ("pillarbox", 40, 320)


def test_blurred_fill_around_a_vertical_video():
    frames = []
    for i in range(4):
        portrait = scene(i, w=100, h=180)
        wide = cv2.resize(portrait, (320, 576))[198:378]  # enlarged copy ...
        wide = cv2.GaussianBlur(wide, (0, 0), 12)  # ... blurred, as phone apps do
        wide[:, 110:210] = portrait
        frames.append(wide)
    area = find_active_area(frames)
    assert area.kind == "blurred_fill"
    assert abs(area.x - 110) <= 3 and abs(area.width_px - 100) <= 6


def test_full_frame_has_no_border():
    area = find_active_area([scene(i) for i in range(3)])
    assert (area.kind, area.width_px, area.height_px) == ("none", 320, 180)
    with pytest.raises(MediaError):
        find_active_area([])


def test_static_logo_found_over_moving_picture():
    frames = []
    for i in range(8):
        f = scene(i).copy()
        cv2.putText(f, "TV24", (240, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2)
        frames.append(f)
    result = find_static_overlay(frames)
    assert result.reliable
    assert len(result.boxes) >= 1
    x0 = min(b[0] for b in result.boxes)
    y0 = min(b[1] for b in result.boxes)
    x1 = max(b[0] + b[2] for b in result.boxes)
    y1 = max(b[1] + b[3] for b in result.boxes)
    ink = np.zeros((180, 320), np.uint8)  # the truth: where the text was drawn
    cv2.putText(ink, "TV24", (240, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2)
    ys, xs = np.nonzero(ink)
    assert abs(x0 - xs.min()) <= 3 and abs(x1 - 1 - xs.max()) <= 3
    assert abs(y0 - ys.min()) <= 3 and abs(y1 - 1 - ys.max()) <= 3
    # nothing flagged in the moving picture outside the logo
    assert not result.mask[60:, :].any()


def test_static_camera_is_reported_unreliable():
    frames = [scene(0) for _ in range(5)]
    assert not find_static_overlay(frames).reliable


def test_duplicates_blends_and_interlacing():
    frames = [scene(i) for i in range(6)]
    frames.insert(3, frames[2].copy())  # index 3 duplicates 2
    blend = ((frames[4].astype(np.float32) + frames[5].astype(np.float32)) / 2).astype(np.uint8)
    frames.insert(5, blend)  # index 5 = mean of 4 and 6
    a, b = scene(10), scene(14)
    combed = a.copy()
    combed[1::2] = b[1::2]  # two fields from different moments
    frames.append(combed)
    flags = frame_flags(frames)
    assert [f.index for f in flags if f.duplicate] == [3]
    assert [f.index for f in flags if f.blended] == [5]
    assert [f.index for f in flags if f.interlaced] == [len(frames) - 1]


def test_scan_of_an_encoded_video_with_a_repeated_frame(tmp_path):
    from tests.synth.video import SynthSpec, write_video

    order = [0, 1, 2, 3, 3, 4, 5, 6, 7, 8]  # frame 4 repeats frame 3 (a screen recording)
    spec = SynthSpec(frames=len(order), width_px=320, height_px=180,
                     options=(("x264-params", "keyint=5:bframes=0:crf=10"),))  # fmt: skip
    path = write_video(tmp_path / "dup.mkv", spec, lambda i: scene(order[i]), barcode=False)
    flags = scan_frame_flags(path)
    assert [f.index for f in flags] == list(range(len(order)))
    assert [f.index for f in flags if f.duplicate] == [4]
    assert not any(f.interlaced or f.blended for f in flags)


def test_effective_scale_of_an_upscaled_picture():
    sharp = scene(0, w=640, h=360, sigma=0.6)
    assert effective_scale(sharp) == 1.0
    half = cv2.resize(cv2.resize(sharp, (320, 180), interpolation=cv2.INTER_AREA), (640, 360),
                      interpolation=cv2.INTER_CUBIC)  # fmt: skip
    assert effective_scale(half) == 0.5


def test_blockiness_grows_with_jpeg_compression():
    img = scene(0, w=320, h=176)
    values = []
    for q in (95, 30, 5):
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
        assert ok
        values.append(blockiness(cv2.imdecode(buf, cv2.IMREAD_COLOR)))
    assert values[0] < 1.15 < values[2]
    assert values[0] < values[1] < values[2]


def test_segment_quality_tells_resolutions_apart():
    sharp = [scene(i, w=640, h=360, sigma=0.6) for i in range(3)]
    soft = [cv2.resize(cv2.resize(s, (320, 180), interpolation=cv2.INTER_AREA), (640, 360),
                       interpolation=cv2.INTER_CUBIC) for s in sharp]  # fmt: skip
    a, b = segment_quality(0, 99, sharp), segment_quality(100, 199, soft)
    assert (a.effective_width_px, b.effective_width_px) == (640, 320)
    assert b.effective_height_px == 180


def test_assess_segments_of_an_edited_video(tmp_path):
    """Shot 1 sharp, shot 2 enlarged from half size: the claim "edited from shots of
    different resolutions" must show in the numbers."""
    from tests.synth.video import SynthSpec, write_video

    def frame(i: int) -> np.ndarray:
        img = scene(i, w=320, h=180, sigma=0.6)
        if i >= 10:
            small = cv2.resize(img, (160, 90), interpolation=cv2.INTER_AREA)
            img = cv2.resize(small, (320, 180), interpolation=cv2.INTER_CUBIC)
        return img

    spec = SynthSpec(frames=20, width_px=320, height_px=180, pix_fmt="yuv444p",
                     options=(("x264-params", "keyint=10:crf=4"),))  # fmt: skip
    path = write_video(tmp_path / "two.mkv", spec, frame, barcode=False)
    first, second = assess_segments(path, [(0, 9), (10, 19)], samples_per_segment=2)
    assert (first.first_frame, second.last_frame) == (0, 19)
    assert first.effective_width_px == 320
    assert second.effective_width_px == 160
