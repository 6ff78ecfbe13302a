"""Matching engine against known truth: real photos warped by homographies chosen here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.errors import CorruptMediaError, WorkbenchError
from analysis.matching.engine import compute_features, match_features, match_images
from analysis.matching.features import Features, akaze_factory, select_across_scales
from analysis.matching.geometry import (
    apply_h,
    degeneracy,
    mean_corner_error_px,
    overlap,
    zoom_rotation,
)
from analysis.matching.refine import refine_homography
from analysis.matching.result import VERDICT_MATCH, VERDICT_NO_MATCH
from tests.synth.matching import WarpSpec, make_pair

SMALL_LONG_SIDE_PX = 640


def load_small(path: Path, long_side: int = SMALL_LONG_SIDE_PX) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    s = long_side / max(img.shape[:2])
    return cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)


def truth_zoom_rotation(h: np.ndarray, wh_a, wh_b) -> tuple[float, float]:
    _, _, centre = overlap(h, wh_a, wh_b)
    return zoom_rotation(h, centre)


@dataclass(frozen=True)
class Case:
    image: str
    spec: WarpSpec


CASES = [
    Case("satellite/sat_map_00.png", WarpSpec(zoom=0.25, roll_deg=5)),
    Case("satellite/sat_map_01.png", WarpSpec(zoom=4.0, roll_deg=-5, jpeg_quality=70)),
    Case("satellite/sat_map_02.png", WarpSpec(zoom=0.5, roll_deg=-20, tilt_x_deg=15, gain=0.7)),
    Case("pairs/DSC_0410.JPG", WarpSpec(zoom=2.0, roll_deg=30, blur_sigma_px=1.0)),
    Case("pairs/DSC_0411.JPG", WarpSpec(zoom=1.2, roll_deg=90, tilt_y_deg=20, jpeg_quality=60)),
    Case("pairs/aero1.jpg", WarpSpec(zoom=1.5, tilt_x_deg=30, gain=1.3, offset=10)),
    Case("pairs/aero3.jpg", WarpSpec(zoom=0.7, tilt_y_deg=-30, roll_deg=45, blur_sigma_px=1.5)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{Path(c.image).stem}-z{c.spec.zoom}")
def test_warped_pairs_recover_the_homography(media_data: Path, case: Case) -> None:
    a, b, h_true = make_pair(load_small(media_data / case.image), case.spec)
    wh = (a.shape[1], a.shape[0])
    r = match_images(a, b)
    assert r.verdict == VERDICT_MATCH, r.reason
    err = mean_corner_error_px(r.homography, h_true, wh, wh)
    assert err < 2.0, f"mean corner error {err:.2f} px"
    zoom_true, rot_true = truth_zoom_rotation(h_true, wh, wh)
    assert r.zoom_ratio == pytest.approx(zoom_true, rel=0.02)
    assert r.rotation_deg == pytest.approx(rot_true, abs=1.0)
    assert 0.0 < r.overlap_a_frac <= 1.0 and 0.0 < r.overlap_b_frac <= 1.0


def test_zoom_ratio_and_overlap_of_a_pure_zoom(media_data: Path) -> None:
    """B = central half of A enlarged 2x: zoom 2, B shows a quarter of A, A covers all of B."""
    a, b, _ = make_pair(load_small(media_data / "pairs/DSC_0410.JPG"), WarpSpec(zoom=2.0))
    r = match_images(a, b)
    assert r.zoom_ratio == pytest.approx(2.0, rel=0.01)
    assert r.rotation_deg == pytest.approx(0.0, abs=0.5)
    assert r.overlap_a_frac == pytest.approx(0.25, abs=0.01)
    assert r.overlap_b_frac == pytest.approx(1.0, abs=0.01)


def test_features_round_trip_through_npz(media_data: Path, tmp_path: Path) -> None:
    a, b, h_true = make_pair(load_small(media_data / "pairs/aero1.jpg"), WarpSpec(roll_deg=10))
    fa, fb = compute_features(a), compute_features(b)
    fa.to_npz(tmp_path / "a.npz")
    fb.to_npz(tmp_path / "b.npz")
    ca, cb = Features.from_npz(tmp_path / "a.npz"), Features.from_npz(tmp_path / "b.npz")
    assert np.array_equal(ca.xy_px, fa.xy_px) and np.array_equal(ca.descriptors, fa.descriptors)
    assert ca.image_wh == fa.image_wh and ca.method == "sift"
    fresh, cached = match_features(fa, fb), match_features(ca, cb)
    assert np.allclose(fresh.homography, cached.homography)
    wh = fa.image_wh
    assert mean_corner_error_px(cached.homography, h_true, wh, wh) < 2.0


def test_a_damaged_features_file_raises_a_typed_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CorruptMediaError, match="bad.npz"):
        Features.from_npz(bad)


def test_mask_keeps_features_out_of_the_masked_band(media_data: Path) -> None:
    a = load_small(media_data / "pairs/DSC_0410.JPG")
    mask = np.full(a.shape[:2], 255, np.uint8)
    mask[:100] = 0  # a burned-in banner across the top
    f = compute_features(a, mask=mask)
    assert len(f) > 100
    assert f.xy_px[:, 1].min() >= 99.0


def test_large_image_works_at_reduced_resolution_and_maps_back(media_data: Path) -> None:
    a, b, h_true = make_pair(
        load_small(media_data / "pairs/DSC_0411.JPG", 1024), WarpSpec(zoom=1.3)
    )
    r = match_images(a, b, work_long_side_px=512)
    wh = (a.shape[1], a.shape[0])
    assert r.verdict == VERDICT_MATCH
    assert mean_corner_error_px(r.homography, h_true, wh, wh) < 2.0


def test_orb_option_matches_an_easy_pair(media_data: Path) -> None:
    a, b, h_true = make_pair(load_small(media_data / "pairs/DSC_0410.JPG"), WarpSpec(roll_deg=10))
    r = match_images(a, b, method="orb")
    wh = (a.shape[1], a.shape[0])
    assert r.method == "orb" and r.verdict == VERDICT_MATCH
    assert mean_corner_error_px(r.homography, h_true, wh, wh) < 2.0


def test_akaze_is_available_or_refused_with_a_clear_error() -> None:
    img = np.random.default_rng(1).integers(0, 255, (200, 200), dtype=np.uint8)
    if akaze_factory() is not None:
        assert compute_features(img, "akaze").method == "akaze"
    else:
        with pytest.raises(WorkbenchError, match="opencv-contrib-python-headless"):
            compute_features(img, "akaze")


def test_fundamental_model_is_estimated(media_data: Path) -> None:
    a = load_small(media_data / "pairs/DSC_0410.JPG")
    b = load_small(media_data / "pairs/DSC_0411.JPG")
    r = match_images(a, b, model="fundamental")
    assert r.verdict == VERDICT_MATCH and r.homography is None
    assert r.fundamental.shape == (3, 3) and r.n_inliers >= 50
    assert r.reprojection_rmse_px < 1.5


def _rng_image(h: int, w: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (h, w, 3), dtype=np.uint8)


BAD_PAIRS = {
    "blank sky": lambda d: (np.full((480, 640, 3), 200, np.uint8), load_small(d)),
    "smooth gradient": lambda d: (
        np.tile(np.linspace(120, 220, 640, dtype=np.uint8), (480, 1)),
        load_small(d),
    ),
    "one pixel": lambda d: (np.zeros((1, 1, 3), np.uint8), load_small(d)),
    "one pixel both": lambda d: (np.zeros((1, 1), np.uint8), np.full((1, 1), 9, np.uint8)),
    "sizes apart": lambda d: (cv2.resize(load_small(d), (4000, 12)), load_small(d, 96)),
    "noise vs photo": lambda d: (_rng_image(480, 640, 3), load_small(d)),
}


@pytest.mark.parametrize("name", list(BAD_PAIRS))
def test_bad_input_gives_no_match_with_a_reason(media_data: Path, name: str) -> None:
    a, b = BAD_PAIRS[name](media_data / "pairs/DSC_0410.JPG")
    r = match_images(a, b)
    assert r.verdict == VERDICT_NO_MATCH
    assert r.reason and r.homography is None and r.zoom_ratio is None


def test_unrelated_photos_give_no_match(media_data: Path) -> None:
    a = load_small(media_data / "satellite/sat_map_00.png")
    b = load_small(media_data / "pairs/DSC_0410.JPG")
    r = match_images(a, b)
    assert r.verdict == VERDICT_NO_MATCH, r.reason


def test_mirrored_view_is_not_reported(media_data: Path) -> None:
    # Not the symmetric facade of DSC_0410: its mirror image truly matches a shifted copy.
    a = load_small(media_data / "satellite/sat_map_03.png")
    r = match_images(a, cv2.flip(a, 1))
    assert r.verdict == VERDICT_NO_MATCH


WH = (640, 480)


@pytest.mark.parametrize(
    ("h", "word"),
    [
        (np.diag([-1.0, 1.0, 1.0]) @ np.array([[1, 0, -639], [0, 1, 0], [0, 0, 1.0]]), "mirror"),
        (np.array([[1.0, 0, 0], [0, 0.01, 0], [0, 0, 1]]), "collapsed"),
        (np.array([[1.0, 0, 0], [0, 1, 0], [0.004, 0, 1]]), "perspective"),
        (np.array([[1.0, 1, 0], [1, 1, 0], [0, 0, 1]]), "singular"),
        (np.array([[100.0, 0, 0], [0, 100, 0], [0, 0, 1]]), "zoom"),
        (np.full((3, 3), np.nan), "no homography"),
    ],
)
def test_degenerate_homographies_are_named(h: np.ndarray, word: str) -> None:
    why = degeneracy(h, WH, WH)
    assert why is not None and word in why


def test_a_plausible_homography_passes() -> None:
    h = np.array([[1.2, 0.1, 5.0], [-0.05, 1.1, -3.0], [1e-4, -5e-5, 1.0]])
    assert degeneracy(h, WH, WH) is None


def test_lm_refinement_recovers_a_homography_from_noisy_points() -> None:
    rng = np.random.default_rng(4)
    h_true = np.array([[1.3, 0.2, 30.0], [-0.1, 1.1, -12.0], [2e-4, -1e-4, 1.0]])
    pa = rng.uniform(0, 640, (300, 2))
    pb = apply_h(h_true, pa) + rng.normal(0, 0.3, (300, 2))
    pb[:20] += rng.uniform(-8, 8, (20, 2))  # outliers near the threshold, down-weighted
    h0 = h_true @ np.array([[1.01, 0, 2.0], [0, 0.99, -3.0], [0, 0, 1.0]])
    h = refine_homography(h0, pa, pb, huber_k=2.0)
    err = mean_corner_error_px(h, h_true, (640, 480), (640, 480))
    assert err < 0.15
    assert mean_corner_error_px(h0, h_true, (640, 480), (640, 480)) > 2.0


def test_selection_keeps_coarse_keypoints() -> None:
    kps = [cv2.KeyPoint(float(i % 50), float(i // 50), 2.0, -1, 1.0) for i in range(900)]
    kps += [cv2.KeyPoint(float(i), 5.0, 40.0, -1, 0.01) for i in range(30)]
    kept = select_across_scales(kps, 100)
    sizes = np.array([k.size for k in kept])
    assert len(kept) == 100
    assert (sizes == 40.0).sum() == 30  # every weak coarse keypoint survives the cap
