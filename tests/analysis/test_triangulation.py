"""Bearing intersection and least squares on simulated scenes in the Hass area with known truth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.ellipse import chi2_2dof_quantile, error_ellipse
from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.triangulation import (
    BearingRay,
    FixStatus,
    intersect_rays,
    locate_from_bearings,
)

HASS_SCHOOL = LatLon(35.6209, 36.5531)


@dataclass(frozen=True)
class Scene:
    """A target and cameras placed by (azimuth from target, distance from target)."""

    name: str
    target: LatLon
    cameras: tuple[tuple[float, float], ...]  # (deg, m)
    sigma_deg: float = 0.5

    def origins(self) -> list[LatLon]:
        return [geodesy.destination(self.target, a, d) for a, d in self.cameras]

    def rays(self) -> list[BearingRay]:
        return [
            BearingRay(o, geodesy.azimuth_deg(o, self.target), self.sigma_deg)
            for o in self.origins()
        ]


SCENES = [
    Scene("rooftop 2.8 km west + 5 km south-west", HASS_SCHOOL, ((270.0, 2800.0), (200.0, 5000.0))),
    Scene("100 m and 10 km, 15 deg crossing", HASS_SCHOOL, ((0.0, 100.0), (15.0, 10_000.0))),
    Scene("two 10 km rays east-west", HASS_SCHOOL, ((90.0, 10_000.0), (250.0, 10_000.0))),
    Scene("three rays 170 m to 7 km", LatLon(35.6195, 36.5546), ((300.0, 170.0), (45.0, 7000.0),
                                                                  (160.0, 3300.0))),
    Scene("four rays 1-9 km", LatLon(35.63, 36.56), ((10.0, 1000.0), (100.0, 9000.0),
                                                     (190.0, 4000.0), (280.0, 2500.0))),
]  # fmt: skip


@pytest.mark.parametrize("scene", SCENES[:3], ids=lambda s: s.name)
def test_exact_intersection_within_a_centimetre(scene: Scene) -> None:
    r1, r2 = scene.rays()
    hit = intersect_rays(r1, r2)
    assert geodesy.distance_m(hit.point, scene.target) < 0.01
    assert hit.range1_m == pytest.approx(scene.cameras[0][1], abs=0.01)
    assert hit.range2_m == pytest.approx(scene.cameras[1][1], abs=0.01)
    assert hit.crossing_angle_deg >= 15.0 - 0.5


def _flat_plane_intersection(r1: BearingRay, r2: BearingRay) -> LatLon:
    """The naive method: straight lines in a tangent plane with the raw azimuths."""
    frame = EnuFrame(r1.origin)
    pts, dirs = [], []
    for r in (r1, r2):
        e, n, _ = frame.to_enu(r.origin)
        pts.append(np.array([e, n]))
        a = math.radians(r.azimuth_deg)
        dirs.append(np.array([math.sin(a), math.cos(a)]))
    t = np.linalg.solve(np.stack([dirs[0], -dirs[1]], axis=1), pts[1] - pts[0])
    e, n = pts[0] + t[0] * dirs[0]
    return frame.from_enu(float(e), float(n))[0]


def test_flat_plane_is_off_by_metres_where_the_ellipsoid_is_exact() -> None:
    scene = SCENES[2]
    r1, r2 = scene.rays()
    flat_error = geodesy.distance_m(_flat_plane_intersection(r1, r2), scene.target)
    exact_error = geodesy.distance_m(intersect_rays(r1, r2).point, scene.target)
    assert flat_error > 1.0
    assert exact_error < 0.01


@settings(max_examples=30, deadline=None)
@given(
    az1=st.floats(0.0, 360.0),
    cross=st.floats(15.0, 165.0),
    d1=st.floats(100.0, 10_000.0),
    d2=st.floats(100.0, 10_000.0),
)
def test_intersection_recovers_any_hass_target(az1: float, cross: float, d1: float, d2: float):
    scene = Scene("random", HASS_SCHOOL, ((az1, d1), (az1 + cross, d2)))
    hit = intersect_rays(*scene.rays())
    assert geodesy.distance_m(hit.point, scene.target) < 0.01


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.name)
def test_least_squares_noise_free_recovers_truth(scene: Scene) -> None:
    fix = locate_from_bearings(scene.rays())
    assert fix.status is FixStatus.OK
    assert geodesy.distance_m(fix.position, scene.target) < 0.01
    assert fix.chi_square < 1e-12
    assert fix.degrees_of_freedom == len(scene.cameras) - 2
    for res, (_, dist) in zip(fix.residuals, scene.cameras, strict=True):
        assert abs(res.residual_deg) < 1e-7
        assert res.range_m == pytest.approx(dist, abs=0.01)


def test_fix_warns_when_the_ellipse_is_large_against_the_nearest_range() -> None:
    near = locate_from_bearings(SCENES[3].rays())  # a ray from 170 m, sigma 0.5 deg
    assert "under-cover" in near.message
    far = locate_from_bearings(CALIBRATION_SCENES[1].rays())
    assert "under-cover" not in far.message


def _coverage(scene: Scene, trials: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    k2 = chi2_2dof_quantile(0.95)
    truth_rays = scene.rays()
    inside, errors = 0, []
    for _ in range(trials):
        noisy = [
            BearingRay(r.origin, r.azimuth_deg + rng.normal(0.0, r.sigma_deg), r.sigma_deg)
            for r in truth_rays
        ]
        fix = locate_from_bearings(noisy)
        assert fix.status is FixStatus.OK
        e, n, _ = EnuFrame(fix.position).to_enu(scene.target)
        d = np.array([e, n])
        inside += float(d @ np.linalg.solve(np.array(fix.covariance_enu_m2), d)) <= k2
        errors.append(math.hypot(e, n))
    return inside / trials, float(np.median(errors))


CALIBRATION_SCENES = [
    SCENES[0],
    Scene("three rays 1.2-7 km", LatLon(35.6195, 36.5546), ((300.0, 1200.0), (45.0, 7000.0),
                                                            (160.0, 3300.0))),
]  # fmt: skip


@pytest.mark.parametrize("scene", CALIBRATION_SCENES, ids=lambda s: s.name)
def test_95_percent_ellipse_is_calibrated_over_1000_trials(scene: Scene) -> None:
    # Linearisation holds when the ellipse is small against every range; with a ray at
    # 170 m and a 26 m error (SCENES[3]) coverage drops to about 93 % and the fix says so.
    coverage, median_error_m = _coverage(scene, trials=1000, seed=20161026)
    assert 0.92 <= coverage <= 0.98
    # The truth is found to within tens of metres, not by accident of a huge ellipse.
    assert median_error_m < 60.0


def test_ellipse_from_known_covariance() -> None:
    k2 = chi2_2dof_quantile(0.95)
    assert k2 == pytest.approx(5.991464547, abs=1e-8)  # chi-square 2 dof, 95 %
    e = error_ellipse(np.diag([16.0, 1.0]))
    assert e.semi_major_m == pytest.approx(4.0 * math.sqrt(k2))
    assert e.semi_minor_m == pytest.approx(math.sqrt(k2))
    assert e.azimuth_deg == pytest.approx(90.0)
    rot = np.array([[1.0, -1.0], [1.0, 1.0]]) / math.sqrt(2)  # major axis towards north-east
    e45 = error_ellipse(rot @ np.diag([16.0, 1.0]) @ rot.T)
    assert e45.azimuth_deg == pytest.approx(45.0)
    with pytest.raises(GeometryError):
        error_ellipse(np.diag([1.0, -1.0]))


def test_residual_of_an_inconsistent_ray() -> None:
    scene = SCENES[0]
    r1, r2 = scene.rays()
    o3 = geodesy.destination(scene.target, 150.0, 2000.0)
    off = BearingRay(o3, geodesy.azimuth_deg(o3, scene.target) + 1.0, 40.0)
    fix = locate_from_bearings([r1, r2, off])
    assert geodesy.distance_m(fix.position, scene.target) < 2.0
    res = fix.residuals[2]
    assert res.residual_deg == pytest.approx(1.0, abs=0.02)
    assert res.normalized == pytest.approx(1.0 / 40.0, abs=1e-3)
    # Turned 1 deg clockwise, the ray passes left of the fix: miss ~ -2000 m * sin(1 deg).
    assert res.cross_track_m == pytest.approx(-2000.0 * math.sin(math.radians(1.0)), rel=0.02)


def test_nearly_parallel_rays_give_a_sampled_region() -> None:
    o1 = geodesy.destination(HASS_SCHOOL, 270.0, 3000.0)
    o2 = geodesy.destination(o1, 0.0, 50.0)
    rays = [
        BearingRay(o1, geodesy.azimuth_deg(o1, HASS_SCHOOL), 0.5),
        BearingRay(o2, geodesy.azimuth_deg(o2, HASS_SCHOOL), 0.5),
    ]
    fix = locate_from_bearings(rays, n_samples=400, seed=3)
    assert fix.status is FixStatus.NEARLY_PARALLEL
    assert fix.ellipse is None and fix.covariance_enu_m2 is None
    assert "parallel" in fix.message
    assert 0.0 < fix.forward_fraction < 1.0
    assert len(fix.samples) == round(fix.forward_fraction * 400)
    # The samples scatter along the rays, east of the cameras, far beyond a tight fix.
    dists = [geodesy.distance_m(o1, p) for p in fix.samples]
    assert max(dists) > 6000.0
    assert all(
        geodesy.angle_difference_deg(geodesy.azimuth_deg(o1, p), 90.0) < 30 for p in fix.samples
    )
    with pytest.raises(GeometryError):
        intersect_rays(BearingRay(o1, 90.0), BearingRay(o2, 90.0))


def test_crossing_behind_an_origin_is_flagged() -> None:
    o1 = geodesy.destination(HASS_SCHOOL, 270.0, 1000.0)
    o2 = geodesy.destination(HASS_SCHOOL, 180.0, 1000.0)
    rays = [
        BearingRay(o1, geodesy.azimuth_deg(o1, HASS_SCHOOL) + 180.0, 1.0),
        BearingRay(o2, geodesy.azimuth_deg(o2, HASS_SCHOOL) + 180.0, 1.0),
    ]
    fix = locate_from_bearings(rays, n_samples=200)
    assert fix.status is FixStatus.BEHIND_ORIGIN
    assert fix.position is None and fix.ellipse is None
    assert fix.forward_fraction == 0.0 and fix.samples == ()
    with pytest.raises(GeometryError, match="behind"):
        intersect_rays(*rays)


def test_needs_two_rays_and_valid_sigma() -> None:
    with pytest.raises(GeometryError):
        locate_from_bearings([BearingRay(HASS_SCHOOL, 10.0)])
    with pytest.raises(GeometryError):
        BearingRay(HASS_SCHOOL, 10.0, 0.0)
