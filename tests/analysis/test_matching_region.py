"""Region search and match figures against known warps."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.matching.engine import compute_features, match_images
from analysis.matching.figures import side_by_side, warp_overlay
from analysis.matching.geometry import apply_h
from analysis.matching.region import (
    DEFAULT_REGION_MIN_INLIERS,
    FOUND,
    NOT_FOUND,
    find_region,
    region_confidence,
)
from tests.synth.matching import WarpSpec, make_pair


def load_small(path: Path, long_side: int = 640) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    s = long_side / max(img.shape[:2])
    return cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)


def box_truth(h: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, hh = box
    corners = np.array([[x, y], [x + w, y], [x + w, y + hh], [x, y + hh]], float) - 0.5
    return apply_h(h, corners)


REGION_CASES = [
    ("satellite/sat_map_00.png", WarpSpec(zoom=0.5, tilt_x_deg=30), (300, 250, 90, 90)),
    ("pairs/DSC_0410.JPG", WarpSpec(zoom=2.0, roll_deg=-10), (280, 160, 70, 60)),
    (
        "satellite/sat_map_03.png",
        WarpSpec(zoom=1.0, tilt_y_deg=-30, roll_deg=20),
        (200, 220, 80, 80),
    ),
]


@pytest.mark.parametrize(
    ("name", "spec", "box"), REGION_CASES, ids=["z0.5-tilt30", "z2", "tilt-30"]
)
def test_box_is_found_where_the_warp_puts_it(media_data: Path, name, spec, box) -> None:
    a, b, h_true = make_pair(load_small(media_data / name), spec)
    r = find_region(a, box, b)
    assert r.verdict == FOUND, r.reason
    err = np.linalg.norm(r.quad_b_px - box_truth(h_true, box), axis=1)
    assert err.max() < 3.0, err
    assert r.n_inliers >= DEFAULT_REGION_MIN_INLIERS and 0.5 < r.confidence <= 1.0


def test_cached_features_of_b_give_the_same_region(media_data: Path) -> None:
    a, b, _ = make_pair(load_small(media_data / "pairs/aero1.jpg"), WarpSpec(zoom=1.4))
    box = (250, 200, 80, 80)
    fresh = find_region(a, box, b)
    cached = find_region(a, box, b, features_b=compute_features(b))
    assert np.allclose(fresh.quad_b_px, cached.quad_b_px)


def test_box_absent_from_b_is_not_found(media_data: Path) -> None:
    a = load_small(media_data / "pairs/DSC_0410.JPG")
    b = load_small(media_data / "satellite/sat_map_02.png")
    r = find_region(a, (300, 200, 100, 100), b)
    assert r.verdict == NOT_FOUND and r.quad_b_px is None and r.confidence == 0.0
    assert r.reason


def test_box_outside_a_is_refused() -> None:
    img = np.zeros((100, 100, 3), np.uint8)
    with pytest.raises(ValueError, match="outside"):
        find_region(img, (90, 90, 20, 20), img)


def test_confidence_grows_with_inliers() -> None:
    values = [region_confidence(n) for n in (5, 12, 20, 40)]
    assert values == sorted(values) and values[0] < 0.2 and values[-1] > 0.99


def test_figures_draw_the_match(media_data: Path) -> None:
    a, b, _ = make_pair(load_small(media_data / "pairs/DSC_0411.JPG"), WarpSpec(zoom=1.5))
    r = match_images(a, b)
    fig = side_by_side(a, b, r, height_px=300)
    width_a = round(a.shape[1] * 300 / a.shape[0])
    assert fig.shape == (300, width_a + round(b.shape[1] * 300 / b.shape[0]), 3)
    green = (fig[:, :, 1] > 180) & (fig[:, :, 0] < 90) & (fig[:, :, 2] < 90)
    assert green[:, :width_a].any() and green[:, width_a:].any()  # lines cross both halves
    over = warp_overlay(a, b, r.homography)
    assert over.shape == a.shape
    # Where B covers A the blend equals A (B is A zoomed), up to resampling.
    centre = (
        slice(a.shape[0] // 3, 2 * a.shape[0] // 3),
        slice(a.shape[1] // 3, 2 * a.shape[1] // 3),
    )
    diff = np.abs(over[centre].astype(int) - a[centre].astype(int)).mean()
    assert diff < 12
