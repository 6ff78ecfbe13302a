"""The plane + parallax test on matches whose geometry is known by construction."""

from __future__ import annotations

import numpy as np

from analysis.matching.geometry import apply_h
from analysis.matching.parallax import TentativePairs, noise_sigma_px, parallax_test

ZOOM_H = np.array([[3.0, 0.0, -600.0], [0.0, 3.0, -300.0], [0.0, 0.0, 1.0]])


def pairs(pa, pb, scale_ratio=3.0, angle=0.0) -> TentativePairs:
    n = len(pa)
    return TentativePairs(pa, pb, np.full(n, scale_ratio), np.full(n, angle))


def test_a_3x_zoom_magnifies_the_noise_of_a_and_the_threshold_follows() -> None:
    rng = np.random.default_rng(1)
    pa = rng.uniform([220, 110], [420, 220], (200, 2))
    pb = apply_h(ZOOM_H, pa + rng.normal(0, 1.0, pa.shape)) + rng.normal(0, 1.0, pa.shape)
    sigma = noise_sigma_px(ZOOM_H, pa, 1.0, 1.0)
    assert np.allclose(sigma, np.sqrt(10.0))  # sqrt(1 + 3^2) pixels of B
    r = parallax_test(ZOOM_H, pairs(pa, pb), 1.0, 1.0)
    assert r.n_explained >= 196 and r.n_parallax <= 3  # 99% of chi-square(2) inside 3 sigma


def test_points_off_the_plane_line_up_on_the_epipole_and_mismatches_do_not() -> None:
    rng = np.random.default_rng(2)
    h = np.eye(3)
    epipole = np.array([2500.0, 300.0])
    plane_a = rng.uniform([0, 0], [640, 480], (120, 2))
    off_a = rng.uniform([0, 0], [640, 480], (30, 2))
    gamma = rng.uniform(0.01, 0.05, (30, 1))  # parallax along the line to the epipole
    off_b = off_a + gamma * (epipole - off_a)
    junk_a = rng.uniform([0, 0], [640, 480], (20, 2))
    junk_b = rng.uniform([0, 0], [640, 480], (20, 2))
    pa = np.vstack((plane_a, off_a, junk_a))
    pb = np.vstack((plane_a, off_b, junk_b))
    r = parallax_test(h, pairs(pa, pb, scale_ratio=1.0), 1.0, 1.0)
    assert r.n_explained == 120 and r.n_off == 50
    assert 30 <= r.n_parallax <= 33  # the planted 30, and at most a few mismatches by chance
    assert np.allclose(r.epipole_b, epipole, rtol=0.02)


def test_mismatches_whose_scale_or_angle_disagree_with_h_are_not_parallax() -> None:
    rng = np.random.default_rng(3)
    pa = rng.uniform([0, 0], [640, 480], (100, 2))
    off = pa[:20] + np.array([25.0, 0.0])  # all would line up on an epipole at infinity
    pb = np.vstack((off, pa[20:]))
    scale = np.concatenate((np.full(20, 2.5), np.ones(80)))  # ...but at 2.5x the size
    angle = np.concatenate((np.full(20, 90.0), np.zeros(80)))  # ...and turned 90 degrees
    same_shape = parallax_test(np.eye(3), pairs(pa, pb, scale_ratio=1.0), 1.0, 1.0)
    assert same_shape.n_parallax == 20 and same_shape.epipole_b is None  # at infinity
    other = parallax_test(np.eye(3), TentativePairs(pa, pb, scale, np.zeros(100)), 1.0, 1.0)
    turned = parallax_test(np.eye(3), TentativePairs(pa, pb, np.ones(100), angle), 1.0, 1.0)
    assert other.n_consistent == turned.n_consistent == other.n_parallax == 0


def test_one_keypoint_listed_twice_counts_once() -> None:
    pa = np.array([[10.0, 10.0], [10.0, 10.0], [50.0, 60.0]])
    pb = pa.copy()
    r = parallax_test(np.eye(3), pairs(pa, pb, scale_ratio=1.0), 1.0, 1.0)
    assert r.n_distinct == 2 and r.n_explained == 2
