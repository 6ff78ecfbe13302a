"""Two alignments fix a known camera; the uncertainty model is calibrated."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.ellipse import chi2_2dof_quantile
from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.sightlines import Alignment, alignment_ray, camera_from_alignments
from analysis.geometry.triangulation import FixStatus

CAMERA = LatLon(35.6209, 36.5221)


def _aligned_pair(camera: LatLon, azimuth: float, near_m: float, gap_m: float) -> Alignment:
    """A near object and a far object exactly on one geodesic leaving the camera."""
    near = geodesy.direct(camera, azimuth, near_m)
    far = geodesy.destination(near.point, near.azimuth2_deg, gap_m)
    return Alignment(near.point, far, position_sigma_m=1.5)


def test_alignment_ray_points_from_near_object_back_towards_camera() -> None:
    al = _aligned_pair(CAMERA, 70.0, 600.0, 900.0)
    ray = alignment_ray(al)
    assert ray.origin == al.near
    back = geodesy.azimuth_deg(al.near, CAMERA)
    assert abs(geodesy.angle_difference_deg(ray.azimuth_deg, back)) < 1e-9
    assert ray.sigma_deg == pytest.approx(math.degrees(math.atan(math.sqrt(2) * 1.5 / 900.0)))


@pytest.mark.parametrize(
    ("az1", "az2", "near1", "near2"), [(70.0, 110.0, 600.0, 300.0), (10.0, 200.0, 150.0, 4000.0)]
)
def test_two_alignments_fix_the_camera(az1: float, az2: float, near1: float, near2: float) -> None:
    a1 = _aligned_pair(CAMERA, az1, near1, 800.0)
    a2 = _aligned_pair(CAMERA, az2, near2, 2500.0)
    fix = camera_from_alignments([a1, a2])
    assert fix.status is FixStatus.OK
    assert geodesy.distance_m(fix.position, CAMERA) < 0.01


def test_swapped_near_and_far_do_not_fix_the_camera() -> None:
    a1 = _aligned_pair(CAMERA, 70.0, 600.0, 800.0)
    a2 = _aligned_pair(CAMERA, 110.0, 300.0, 800.0)
    swapped = [Alignment(a.far, a.near, a.position_sigma_m) for a in (a1, a2)]
    fix = camera_from_alignments(swapped)
    assert fix.status is not FixStatus.OK or geodesy.distance_m(fix.position, CAMERA) > 100.0


def test_alignment_ellipse_is_calibrated() -> None:
    a1 = _aligned_pair(CAMERA, 70.0, 600.0, 800.0)
    a2 = _aligned_pair(CAMERA, 115.0, 400.0, 1200.0)
    rng = np.random.default_rng(11)
    k2 = chi2_2dof_quantile(0.95)
    inside, trials = 0, 400

    def jitter(p: LatLon, sigma: float) -> LatLon:
        e, n = rng.normal(0.0, sigma, 2)
        return geodesy.offset(p, float(e), float(n))

    for _ in range(trials):
        noisy = [Alignment(jitter(a.near, 1.5), jitter(a.far, 1.5), 1.5) for a in (a1, a2)]
        fix = camera_from_alignments(noisy)
        e, n, _ = EnuFrame(fix.position).to_enu(CAMERA)
        d = np.array([e, n])
        inside += float(d @ np.linalg.solve(np.array(fix.covariance_enu_m2), d)) <= k2
    assert 0.92 <= inside / trials <= 0.98


def test_degenerate_alignments_raise() -> None:
    with pytest.raises(GeometryError):
        alignment_ray(Alignment(CAMERA, CAMERA))
    with pytest.raises(GeometryError):
        camera_from_alignments([_aligned_pair(CAMERA, 10.0, 100.0, 100.0)])
