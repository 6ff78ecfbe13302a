"""inspect_video against a video whose degradations are known exactly (tests/synth/degraded.py):
letterbox bars, a logo and a time stamp burnt in, frames duplicated and blended at known
indices, and a picture enlarged from half its size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from analysis.errors import MediaError
from analysis.jobs import CancelToken, JobCancelled
from analysis.media.inspection import VideoInspection, index_ranges, inspect_video, merge_boxes
from tests.synth.degraded import DegradedTruth, write_degraded_video


def _close(box, want, tol: int = 3) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(box, want, strict=True))


@dataclass(frozen=True)
class Case:
    name: str
    truth: DegradedTruth
    scale: float


CASES = (
    Case("sharp", DegradedTruth(), 1.0),
    Case("enlarged from half", DegradedTruth(soft=True, duplicated=(7,), blended=(30,)), 0.5),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_inspection_finds_what_was_burnt_in(tmp_path, case):
    t = case.truth
    result = inspect_video(write_degraded_video(tmp_path / "v.mkv", t))
    a = result.active_area
    assert (a.kind, (a.x, a.y, a.width_px, a.height_px)) == ("letterbox", t.active_xywh)
    assert (result.frame_count, result.frame_width_px, result.frame_height_px) == (
        t.frames, t.width_px, t.height_px
    )  # fmt: skip
    assert (result.coded_width_px, result.coded_height_px) == (t.width_px, t.height_px)
    assert result.duplicated == t.duplicated
    assert result.blended == t.blended
    assert result.interlaced == ()
    boxes = result.overlays.boxes
    assert result.overlays.reliable and len(boxes) == 2
    logo = next(b for b in boxes if b[0] > t.width_px // 2)
    stamp = next(b for b in boxes if b[0] < t.width_px // 2)
    assert _close(logo, t.logo_box)
    # the time stamp's seconds tick: its last digit is not still, the rest is
    sx, sy, sw, sh = t.stamp_box
    assert _close(stamp[:2], (sx, sy)) and abs(stamp[3] - sh) <= 3 and sw - 20 <= stamp[2] <= sw
    assert result.effective_scale == case.scale
    assert result.effective_width_px == round(t.width_px * case.scale)
    # nothing in the moving picture away from the overlays, nothing in the bars
    mask = result.overlays.mask
    assert not mask[: t.bar_px].any() and not mask[t.height_px - t.bar_px :].any()
    assert not mask[120:250, 100:380].any()


def test_matching_mask_leaves_out_bars_and_overlays_and_round_trips(tmp_path):
    t = DegradedTruth()
    result = inspect_video(write_degraded_video(tmp_path / "v.mkv", t))
    m = result.matching_mask()
    assert m.shape == (t.height_px, t.width_px) and m.dtype == np.uint8
    lx, ly, lw, lh = t.logo_box
    assert m[ly + lh // 2, lx + lw // 2] == 0  # the logo
    assert m[10, 200] == 0 and m[t.height_px - 10, 200] == 0  # the bars
    assert m[180, 240] == 255  # the picture
    again = VideoInspection.from_dict(result.to_dict(), result.overlays.mask)
    assert again.to_dict() == result.to_dict()
    assert np.array_equal(again.matching_mask(), m)


def test_bad_input_and_cancel(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00not a video" * 100)
    with pytest.raises(MediaError, match="junk.mp4"):
        inspect_video(junk)
    with pytest.raises(MediaError, match="no such file"):
        inspect_video(tmp_path / "missing.mp4")
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        inspect_video(write_degraded_video(tmp_path / "v.mkv"), cancel=token)


def test_ranges_and_merging():
    assert index_ranges([]) == "none"
    assert index_ranges([12, 3, 7, 8, 9]) == "3, 7-9, 12"
    assert merge_boxes(((0, 0, 10, 10), (15, 2, 5, 5), (100, 100, 4, 4))) == (
        (0, 0, 20, 10), (100, 100, 4, 4)
    )  # fmt: skip
