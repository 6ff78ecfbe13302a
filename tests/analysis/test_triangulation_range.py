"""Bearings and range rings: exact synthetic truth, the covariance, ambiguity, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.triangulation import BearingRay
from analysis.geometry.triangulation_range import RangeRing, locate_with_ranges

ROOFTOP = LatLon(35.6203, 36.5191)
SECOND = LatLon(35.6137, 36.5423)
STRIKE = LatLon(35.6208, 36.5502)
OUTSIDE = geodesy.destination(STRIKE, 150.0, 1500.0)  # outside the rooftop's ring


def _ray(origin: LatLon, sigma_deg: float, error_deg: float = 0.0) -> BearingRay:
    return BearingRay(origin, geodesy.inverse(origin, STRIKE).azimuth1_deg + error_deg, sigma_deg)


def _ring(centre: LatLon, sigma_m: float, error_m: float = 0.0) -> RangeRing:
    return RangeRing(centre, geodesy.distance_m(centre, STRIKE) + error_m, sigma_m)


def test_one_bearing_and_one_ring_from_the_same_camera_hit_the_truth():
    out = locate_with_ranges([_ray(ROOFTOP, 0.3)], [_ring(ROOFTOP, 15.0)])
    assert geodesy.distance_m(out.fix.position, STRIKE) < 1e-3
    assert out.alternatives == ()
    assert out.fix.degrees_of_freedom == 0
    assert abs(out.ring_misses_m[0]) < 1e-3
    # along the ray the ring's sigma, across it the range times the angle
    d = geodesy.distance_m(ROOFTOP, STRIKE)
    e = out.fix.ellipse
    k = math.sqrt(-2 * math.log(1 - 0.95))
    assert sorted((e.semi_major_m / k, e.semi_minor_m / k)) == pytest.approx(
        sorted((15.0, d * math.radians(0.3))), rel=1e-3
    )
    assert geodesy.angle_difference_deg(e.azimuth_deg % 180, _ray(ROOFTOP, 1).azimuth_deg % 180
                                        ) == pytest.approx(0.0, abs=0.5)  # fmt: skip


def test_a_ray_from_inside_another_camera_s_ring_meets_it_once():
    out = locate_with_ranges([_ray(SECOND, 0.3)], [_ring(ROOFTOP, 15.0)])
    assert geodesy.distance_m(out.fix.position, STRIKE) < 1e-3
    assert out.alternatives == ()


def test_a_ring_from_another_camera_crosses_the_ray_twice_and_says_so():
    out = locate_with_ranges([_ray(OUTSIDE, 0.3)], [_ring(ROOFTOP, 15.0)])
    found = [out.fix.position, *out.alternatives]
    assert len(found) == 2
    assert min(geodesy.distance_m(p, STRIKE) for p in found) < 1e-3
    assert "ambiguous" in out.fix.message


def test_two_bearings_and_a_ring_are_consistent_with_chi_square():
    rays = [_ray(ROOFTOP, 0.3, 0.1), _ray(SECOND, 0.4, -0.2)]
    out = locate_with_ranges(rays, [_ring(ROOFTOP, 15.0, 10.0)])
    assert out.fix.degrees_of_freedom == 1
    assert geodesy.distance_m(out.fix.position, STRIKE) < 40.0
    assert out.alternatives == ()


def test_the_ellipse_holds_the_truth_as_often_as_it_says():
    rng = np.random.default_rng(5)
    frame, inside, trials = EnuFrame(STRIKE), 0, 400
    for _ in range(trials):
        ray = _ray(ROOFTOP, 0.3, float(rng.normal(0, 0.3)))
        ring = _ring(ROOFTOP, 15.0, float(rng.normal(0, 15.0)))
        fix = locate_with_ranges([ray], [ring]).fix
        d = np.array(frame.to_enu(fix.position)[:2])
        inside += float(d @ np.linalg.inv(np.array(fix.covariance_enu_m2)) @ d) <= 5.991
    assert 0.92 <= inside / trials <= 0.98


@pytest.mark.parametrize(
    "rays, rings, message",
    [([], [RangeRing(ROOFTOP, 100.0, 5.0)], "needs a bearing"),
     ([BearingRay(ROOFTOP, 90.0, 0.3)], [], "needs a bearing")],
)  # fmt: skip
def test_too_little_is_refused(rays, rings, message):
    with pytest.raises(GeometryError, match=message):
        locate_with_ranges(rays, rings)


def test_a_ring_needs_a_positive_distance_and_sigma():
    with pytest.raises(GeometryError, match="above 0"):
        RangeRing(ROOFTOP, 100.0, 0.0)
