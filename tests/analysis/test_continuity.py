"""Continuity verdicts against scenes whose camera positions are known by construction."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.jobs import CancelToken, JobCancelled
from analysis.matching.continuity import (
    DIFFERENT_POSITION,
    INCONCLUSIVE,
    SAME_POSITION,
    compare_frames,
    compare_segments,
)
from tests.synth.matching import WarpSpec, make_pair, two_plane_views

LONG_SIDE_PX = 640


def load_small(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    s = LONG_SIDE_PX / max(img.shape[:2])
    return cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)


def test_zoom_from_the_same_position_is_same_position(media_data: Path) -> None:
    """Segment 2 is segment 1 zoomed in 1.6x and turned slightly: one camera position."""
    a, b, _ = make_pair(
        load_small(media_data / "pairs/DSC_0410.JPG"),
        WarpSpec(zoom=1.6, roll_deg=3, tilt_y_deg=5, jpeg_quality=80),
    )
    r = compare_frames(a, b)
    assert r.verdict == SAME_POSITION, r.reason
    assert r.zoom_ratio == pytest.approx(1.6, rel=0.03)
    assert r.ncc > 0.9 and r.ssim > 0.5
    assert r.parallax.n_parallax <= 0.1 * r.parallax.n_explained
    assert "shadows" in r.note


def test_two_depths_seen_from_two_positions_is_different_position(media_data: Path) -> None:
    far = load_small(media_data / "satellite/sat_map_01.png")
    near = load_small(media_data / "pairs/DSC_0410.JPG")
    a, b = two_plane_views(far, near, baseline_frac=0.04, zoom=1.2)
    r = compare_frames(a, b)
    assert r.verdict == DIFFERENT_POSITION, r.reason
    assert r.parallax.n_parallax >= 15 and r.parallax.parallax_px > 3.0


def test_the_same_two_plane_scene_without_baseline_is_same_position(media_data: Path) -> None:
    """Control for the test above: same scene, camera only zoomed (no parallax)."""
    far = load_small(media_data / "satellite/sat_map_01.png")
    near = load_small(media_data / "pairs/DSC_0410.JPG")
    a, b = two_plane_views(far, near, baseline_frac=0.0, zoom=1.2)
    r = compare_frames(a, b)
    assert r.verdict == SAME_POSITION, r.reason
    assert r.zoom_ratio == pytest.approx(1.2, rel=0.03)


def test_aerial_photos_from_two_positions_are_not_called_same_position(media_data: Path) -> None:
    a = load_small(media_data / "pairs/aero1.jpg")
    b = load_small(media_data / "pairs/aero3.jpg")
    r = compare_frames(a, b)
    assert r.verdict in (DIFFERENT_POSITION, INCONCLUSIVE)
    assert r.reason


def test_segments_use_their_best_keyframe_pair(media_data: Path) -> None:
    img = load_small(media_data / "pairs/DSC_0411.JPG")
    _, zoomed, _ = make_pair(img, WarpSpec(zoom=1.5))
    blank = np.full_like(img, 90)
    r = compare_segments([blank, img], [zoomed])
    assert r.pair_index == (1, 0)
    assert r.verdict == SAME_POSITION
    assert r.zoom_ratio == pytest.approx(1.5, rel=0.03)


def test_blank_frames_are_inconclusive() -> None:
    blank = np.full((240, 320, 3), 128, np.uint8)
    r = compare_frames(blank, blank)
    assert r.verdict == INCONCLUSIVE
    assert r.zoom_ratio is None and r.reason


def test_cancel_stops_the_comparison() -> None:
    token = CancelToken()
    token.cancel()
    img = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    with pytest.raises(JobCancelled):
        compare_segments([img], [img], cancel=token)
