"""Cuts between shots of similar colour, found on structure alone, and what must not be.

A cut from a scene to the same scene from another angle, or to the same place at another zoom,
in the same light hardly changes the colour histogram; the picture's structure changes
completely in one frame. Truth here is exact: synthetic views of one textured panorama, and
real clips from tests/data/media spliced and re-encoded in the test (truth = the splice
frames). The guards: a jolt of the camera, a detonation flash followed by its smoke.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.video.cuts import (
    ALONE_ISOLATION,
    ALONE_MIN,
    CUT_SCORE_MIN,
    detect_cuts,
    detect_cuts_in_features,
)
from analysis.video.cuts_features import extract_features, features_from_images
from tests.analysis.test_cuts import H, W, panorama, view
from tests.synth.splice import SPLICES, write_splice


def noisy(img: np.ndarray, rng: np.random.Generator, sigma: float = 2.0) -> np.ndarray:
    """Sensor noise, so that a still camera's frames are not identical."""
    return np.clip(img + rng.normal(0.0, sigma, img.shape), 0, 255).astype(np.uint8)


def test_a_cut_within_one_scene_in_one_light_is_found():
    """Two views 800 px apart on one panorama: same colours, other structure."""
    pano, rng = panorama(21), np.random.default_rng(1)
    frames = [noisy(view(pano, 100 + i), rng) for i in range(30)]
    frames += [noisy(view(pano, 900 + i), rng) for i in range(30)]
    feats = features_from_images(frames)
    assert feats.hist_dist[30] / 0.5 < CUT_SCORE_MIN  # the colour evidence alone is too weak
    cuts = detect_cuts_in_features(feats).cuts
    assert [(c.frame, c.kind) for c in cuts] == [(30, "cut")]


@pytest.mark.parametrize("shift_px", [6, 16, 30])
@pytest.mark.parametrize("back", [False, True])
def test_a_jolt_of_the_camera_is_not_a_cut(shift_px, back):
    """A still camera knocked sideways by 4-19 % of the width in one frame (and staying, or
    coming back a frame later): the same picture, moved."""
    pano, rng = panorama(22), np.random.default_rng(2)
    frames = [noisy(view(pano, 200), rng) for _ in range(20)]
    frames.append(noisy(view(pano, 200 + shift_px), rng))
    x = 200 if back else 200 + shift_px
    frames += [noisy(view(pano, x), rng) for _ in range(19)]
    feats = features_from_images(frames)
    if not back:  # a cut on structure alone, but for the jolt guard
        near = max(feats.struct_dist[j] for j in (18, 19, 21, 22))
        assert feats.struct_dist[20] > max(ALONE_MIN, ALONE_ISOLATION * near)
    assert detect_cuts_in_features(feats).cuts == ()


def test_a_detonation_flash_followed_by_smoke_is_not_a_cut():
    """A white-hot core and the whole frame washed out, fading over six frames, and a dark
    plume growing from the core: the onset is a large, isolated change of structure (nothing
    like it in the frames around), and the brightness spikes and falls back."""
    pano, rng = panorama(23), np.random.default_rng(3)
    base = view(pano, 300).astype(np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    dist2 = (xx - 100.0) ** 2 + (yy - 70.0) ** 2
    gains = (1.0, 0.6, 0.35, 0.2, 0.1, 0.05)
    frames = []
    for i in range(40):
        img = base.copy()
        if i >= 20:  # the plume grows from the strike point
            radius = 6.0 + 1.5 * (i - 20)
            alpha = 0.85 * np.exp(-dist2 / (2 * radius**2))[..., None]
            img = img * (1 - alpha) + 60.0 * alpha
        if 20 <= i < 20 + len(gains):  # the flash
            gain = gains[i - 20]
            core = np.exp(-dist2 / (2 * (14.0 * gain) ** 2))[..., None]
            img = img + (255.0 - img) * 0.62 * gain
            img = img * (1 - core) + 250.0 * core
        frames.append(noisy(img, rng))
    feats = features_from_images(frames)
    near = max(feats.struct_dist[j] for j in (18, 19, 21, 22))
    assert feats.struct_dist[20] > max(ALONE_MIN, ALONE_ISOLATION * near)  # a cut, but for...
    assert detect_cuts_in_features(feats).cuts == ()  # ... the flash guards


# --- real clips spliced ----------------------------------------------------------------------


@pytest.mark.parametrize("splice", SPLICES, ids=lambda s: s.source)
def test_real_clips_spliced_in_one_light(media_data, tmp_path, splice):
    """Truth: the splice frames, and nothing else (see tests/synth/splice.py for each)."""
    path = write_splice(tmp_path / "splice.mp4", media_data / "video", splice)
    hist = extract_features(path).hist_dist
    assert min(hist[f] for f in splice.cut_frames) / 0.5 < CUT_SCORE_MIN  # similar colours
    result = detect_cuts(path)
    assert [(c.frame, c.kind) for c in result.cuts] == [(f, "cut") for f in splice.cut_frames], (
        splice.note
    )
