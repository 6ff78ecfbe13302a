"""Display enhancements against values computed by hand from their formulas."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.video.enhance import EnhancementError, Enhancements, apply_enhancements, levels_lut


def ramp() -> np.ndarray:
    """Every 8-bit level once per channel: a 16x16 RGB picture of 0..255."""
    levels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    return np.stack([levels, levels, 255 - levels], axis=2)


def test_defaults_change_nothing_and_describe_nothing():
    img = ramp()
    enh = Enhancements()
    assert enh.is_identity
    assert enh.steps() == []
    out = apply_enhancements(img, enh)
    assert np.array_equal(out, img)
    assert out is not img


def test_input_is_never_modified():
    img = ramp()
    before = img.copy()
    apply_enhancements(
        img, Enhancements(brightness=40, contrast=2, clahe_clip_limit=3, sharpen_amount=1.5)
    )
    assert np.array_equal(img, before)


@pytest.mark.parametrize(
    ("enh", "level_in", "level_out"),
    [
        (Enhancements(brightness=10), 100, 110),
        (Enhancements(brightness=10), 250, 255),  # clipped
        (Enhancements(brightness=-30), 20, 0),
        (Enhancements(contrast=2.0), 128, 128),  # mid-grey is the pivot
        (Enhancements(contrast=2.0), 138, 148),
        (Enhancements(contrast=2.0), 100, 72),
        (Enhancements(gamma=2.0), 64, 128),  # 255 * (64/255) ** 0.5 = 127.75
        (Enhancements(gamma=0.5), 128, 64),  # 255 * (128/255) ** 2 = 64.25
        (Enhancements(contrast=0.5, brightness=20, gamma=1.0), 0, 84),  # -64+128+20
    ],
)
def test_levels_follow_the_formula(enh, level_in, level_out):
    assert int(levels_lut(enh)[level_in]) == level_out
    out = apply_enhancements(ramp(), enh)
    assert int(out.reshape(-1, 3)[level_in, 0]) == level_out
    # the same table applies to every channel
    assert int(out.reshape(-1, 3)[255 - level_in, 2]) == level_out


def test_clahe_spreads_a_low_contrast_picture_and_keeps_hue():
    rng = np.random.default_rng(3)
    grey = (100 + rng.integers(0, 12, size=(128, 128))).astype(np.uint8)
    img = np.stack([grey, grey, grey], axis=2)
    out = apply_enhancements(img, Enhancements(clahe_clip_limit=4.0, clahe_tiles=4))
    assert out[:, :, 0].std() > 2.5 * img[:, :, 0].std()
    # grey stays grey: CLAHE works on L* only
    assert np.abs(out[:, :, 0].astype(int) - out[:, :, 2].astype(int)).max() <= 2
    step = Enhancements(clahe_clip_limit=4.0, clahe_tiles=4).steps()[0]
    assert step["op"] == "clahe" and step["clip_limit"] == 4.0 and step["tiles"] == [4, 4]


def test_unsharp_mask_overshoots_at_an_edge_and_leaves_flat_areas():
    img = np.full((32, 32, 3), 80, dtype=np.uint8)
    img[:, 16:] = 160
    out = apply_enhancements(img, Enhancements(sharpen_amount=1.0, sharpen_sigma_px=1.0))
    assert np.array_equal(out[:, :8], img[:, :8])  # flat: unchanged
    assert np.array_equal(out[:, 24:], img[:, 24:])
    assert out[5, 15, 0] < 80 and out[5, 16, 0] > 160  # overshoot either side of the edge


def test_steps_list_every_applied_operation_in_order():
    enh = Enhancements(brightness=5, sharpen_amount=0.8, sharpen_sigma_px=2, clahe_clip_limit=2)
    ops = [s["op"] for s in enh.steps()]
    assert ops == ["clahe", "levels", "unsharp_mask"]
    assert enh.steps()[1]["brightness"] == 5
    assert Enhancements.from_dict(enh.to_dict()) == enh


def test_out_of_range_parameters_and_bad_images_are_refused():
    with pytest.raises(EnhancementError, match="gamma"):
        Enhancements(gamma=0)
    with pytest.raises(EnhancementError):
        apply_enhancements(np.zeros((4, 4, 3), np.float32), Enhancements())
