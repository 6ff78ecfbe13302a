"""Region search on a landmark too small to match says why, and what to do instead."""

from __future__ import annotations

import cv2
import numpy as np

from analysis.matching.region import MIN_TEXTURE_PX, find_region, size_advice


def test_a_tiny_box_not_found_says_its_size_against_what_matching_needs():
    rng = np.random.default_rng(4)
    a = cv2.GaussianBlur(rng.integers(0, 256, (240, 320), dtype=np.uint8), (0, 0), 1.0)
    b = cv2.GaussianBlur(rng.integers(0, 256, (240, 320), dtype=np.uint8), (0, 0), 1.0)
    result = find_region(a, (150, 100, 8, 14), b)  # unrelated pictures: never found
    assert not result.found
    assert "the box is 8 x 14 px" in result.reason
    assert f"needs some {MIN_TEXTURE_PX} x {MIN_TEXTURE_PX} px" in result.reason
    assert "mark the points by hand" in result.advice
    assert result.to_dict()["advice"] == result.advice


def test_no_advice_for_a_box_large_enough():
    assert size_advice(40, 120) == ""
    assert size_advice(39.6, 200).startswith("the box is 40 x 200 px")
