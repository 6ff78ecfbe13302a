"""Calibration of hand-click bearings: the 95% ellipse holds the truth 93-97% of the time.

The sample case's geometry, taken from the scenario generator (the independent truth): the
rooftop camera 2.8 km west of the school (wide segment, 45 deg) and the second camera on the
block 1 km south-west (50 deg), both looking at the strike point, both turning their bearing
on the water tower (one landmark, one map position, shared). Each trial clicks the pixels the
scenario's cameras project, with Gaussian scatter, places the landmarks off their true
position by their stated one-sigma, types or fits the field of view, measures both bearings
with the project's functions (``solve_bearing``, ``hfov_from_references``, ``bearing_sigma``)
and intersects them with the correlated triangulation. The truth must fall inside the 95%
ellipse (squared Mahalanobis distance <= 5.991) in 93-97% of 2,000 trials.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pytest

from analysis.geometry import geodesy
from analysis.geometry.bearing import BearingSetup, hfov_from_references, solve_bearing
from analysis.geometry.bearing_sigma import PlacedPoint, SigmaSources, bearing_sigma
from analysis.geometry.geodesy import LatLon
from analysis.geometry.triangulation import BearingRay, locate_from_bearings
from analysis.geometry.triangulation_gls import CorrelatedRay, locate_from_correlated_bearings
from workbench.scenario.camera import PinholeCamera as TrueCamera
from workbench.scenario.geo import LocalFrame
from workbench.scenario.scene import EYE_HEIGHT_M, ScenarioConfig
from workbench.scenario.town import FLOOR_M, PARAPET_M, SITES, WATER_TOWER_TANK
from workbench.scenario.world import HOST_FLOORS, ORIGIN_LAT_DEG, ORIGIN_LON_DEG

TRIALS = 2000
K2_95 = -2.0 * math.log(0.05)
FRAME = LocalFrame(ORIGIN_LAT_DEG, ORIGIN_LON_DEG, 0.0)
TOWER_M = (WATER_TOWER_TANK["base_m"] + WATER_TOWER_TANK["top_m"]) / 2
HEIGHTS = {"water_tower": TOWER_M, "mosque": 12.0, "building_se": 9.0, "strike_point": 0.0}


def _bearing_deg(frm: tuple[float, float], to: tuple[float, float]) -> float:
    return math.degrees(math.atan2(to[0] - frm[0], to[1] - frm[1])) % 360.0


def _cameras() -> dict[str, TrueCamera]:
    """The scenario's two cameras (scene.rooftop_cameras' wide one, scene.second_camera)."""
    cfg = ScenarioConfig()
    e, n = SITES["rooftop_host"]
    e += 8.4
    roof = HOST_FLOORS["rooftop_host"] * FLOOR_M + PARAPET_M + EYE_HEIGHT_M
    rooftop = TrueCamera(
        (e, n, roof),
        _bearing_deg((e, n), SITES["school"]) + 0.8,
        -1.5,
        0.4,
        cfg.rooftop_hfov_deg[0],
        *cfg.rooftop_size,
    )
    e, n = SITES["second_host"]
    e, n = e + 8.4, n + 6.4
    roof = HOST_FLOORS["second_host"] * FLOOR_M + PARAPET_M + EYE_HEIGHT_M
    se, school = SITES["building_se"], SITES["school"]
    aim = ((se[0] + school[0]) / 2, (se[1] + school[1]) / 2)
    second = TrueCamera(
        (e, n, roof), _bearing_deg((e, n), aim), 3.0, -0.8, cfg.second_hfov_deg, *cfg.second_size
    )
    return {"rooftop": rooftop, "second": second}


def _latlon(e: float, n: float) -> LatLon:
    lat, lon, _ = FRAME.reverse(e, n, 0.0)
    return LatLon(lat, lon)


@functools.cache
def _true_pixel(cam: TrueCamera, site: str) -> tuple[float, float]:
    px = _pixel(cam, site)
    return float(px[0]), float(px[1])


@functools.cache
def _site(site: str) -> LatLon:
    return _latlon(*SITES[site])


def _pixel(cam: TrueCamera, site: str) -> np.ndarray:
    e, n = SITES[site]
    pix, depth = cam.project(np.array([[e, n, HEIGHTS[site]]]))
    assert depth[0] > 0 and 0 <= pix[0, 0] < cam.width_px, site
    return pix[0]


@functools.cache
def _truth() -> LatLon:
    return _site("strike_point")


@functools.cache
def _horizon_cached(cam: TrueCamera) -> tuple[tuple[float, float], ...]:
    return tuple((float(p[0]), float(p[1])) for p in _horizon(cam))


@functools.cache
def _latlon_cached(e: float, n: float) -> LatLon:
    return _latlon(e, n)


def _horizon(cam: TrueCamera) -> tuple[np.ndarray, np.ndarray]:
    e, n, u = cam.position_enu_m
    out = []
    for d in (-15.0, 15.0):
        a = math.radians(cam.yaw_deg + d)
        far = np.array([[e + 1e6 * math.sin(a), n + 1e6 * math.cos(a), u]])
        out.append(cam.project(far)[0][0])
    return out[0], out[1]


@dataclass(frozen=True)
class Case:
    """One calibration case: click scatter, landmark noise, how the field of view is set."""

    name: str
    click_px: float
    landmark_sigma_m: float = 5.0
    fov: str = "typed"  # or "references" (the water tower and a second landmark)
    typed_sigma_deg: float = 1.0
    camera_sigma_m: float = 0.0


CASES = [
    Case("1 px, typed FOV", 1.0),
    Case("3 px, typed FOV", 3.0),
    Case("2 px, FOV from references", 2.0, fov="references"),
    Case("2 px, typed FOV, cameras ± 3 m", 2.0, camera_sigma_m=3.0),
]
SECOND_REFERENCE = {"rooftop": "mosque", "second": "building_se"}


def _trial(case: Case, rng: np.random.Generator, cams: dict) -> float:
    """The squared Mahalanobis distance of the truth from one trial's fix."""
    stated = {}
    for site in ("water_tower", "mosque", "building_se"):
        de, dn = rng.normal(0.0, case.landmark_sigma_m, 2)
        stated[site] = geodesy.offset(_site(site), float(de), float(dn))
    rays = []
    for name, cam in cams.items():
        e, n, _ = cam.position_enu_m
        de, dn = rng.normal(0.0, case.camera_sigma_m, 2) if case.camera_sigma_m else (0, 0)
        where = _latlon(e + de, n + dn) if case.camera_sigma_m else _latlon_cached(e, n)

        def click(p) -> tuple[float, float]:
            q = rng.normal(0.0, case.click_px, 2)
            return float(p[0] + q[0]), float(p[1] + q[1])

        ref_px, target_px = (
            click(_true_pixel(cam, "water_tower")),
            click(_true_pixel(cam, "strike_point")),
        )
        h1, h2 = _horizon_cached(cam)
        horizon = (click(h1), click(h2))
        second = None
        if case.fov == "typed":
            hfov = cam.hfov_deg + rng.normal(0.0, case.typed_sigma_deg)
        else:
            site2 = SECOND_REFERENCE[name]
            ref2_px = click(_true_pixel(cam, site2))
            fit = hfov_from_references(
                cam.width_px,
                cam.height_px,
                where,
                ((stated["water_tower"], ref_px), (stated[site2], ref2_px)),
                horizon_px=horizon,
            )
            hfov = fit.hfov_deg
            second = (
                PlacedPoint(f"landmark:{site2}", stated[site2], case.landmark_sigma_m),
                ref2_px,
            )
        setup = BearingSetup(
            cam.width_px,
            cam.height_px,
            hfov,
            where,
            stated["water_tower"],
            ref_px,
            target_px,
            horizon,
        )
        az = solve_bearing(setup).azimuth_deg
        sigma = bearing_sigma(
            setup,
            SigmaSources(
                click_sigma_px=case.click_px,
                camera=PlacedPoint(f"camera:{name}", where, case.camera_sigma_m),
                reference=PlacedPoint("landmark:water_tower", stated["water_tower"], 5.0),
                hfov_sigma_deg=case.typed_sigma_deg if second is None else 0.0,
                fov_key=f"fov:{name}",
                second_reference=second,
            ),
        )
        rays.append(CorrelatedRay(where, az, sigma.independent_sigma_deg, sigma.shared))
    fix = locate_from_correlated_bearings(rays)
    assert fix.position is not None and fix.covariance_enu_m2 is not None
    g = geodesy.inverse(fix.position, _truth())
    a = math.radians(g.azimuth1_deg)
    d = np.array([g.distance_m * math.sin(a), g.distance_m * math.cos(a)])
    return float(d @ np.linalg.solve(np.array(fix.covariance_enu_m2), d))


def coverage(case: Case, trials: int = TRIALS, seed: int = 13) -> float:
    """The share of trials whose 95% ellipse holds the truth."""
    rng, cams = np.random.default_rng(seed), _cameras()
    return float(np.mean([_trial(case, rng, cams) <= K2_95 for _ in range(trials)]))


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hand_click_ellipse_holds_the_truth_95_percent(case: Case) -> None:
    got = coverage(case)
    assert 0.93 <= got <= 0.97, f"{case.name}: {got:.1%} of {TRIALS} trials"


def test_independent_rays_under_cover_a_shared_landmark() -> None:
    """The old path (independent sigmas) on the same rays says less than it should: the shared
    landmark's error turns both rays together (the reason for the correlated path)."""
    rng, cams = np.random.default_rng(5), _cameras()
    case = Case("shared", 1.0, landmark_sigma_m=15.0)
    hits_gls = hits_plain = 0
    for _ in range(300):
        stated_e = rng.normal(0.0, case.landmark_sigma_m, 2)
        tower = _latlon(
            SITES["water_tower"][0] + stated_e[0], SITES["water_tower"][1] + stated_e[1]
        )
        rays = []
        for name, cam in cams.items():
            e, n, _ = cam.position_enu_m
            where = _latlon(e, n)
            noisy = [
                tuple(_pixel(cam, s) + rng.normal(0, 1.0, 2))
                for s in ("water_tower", "strike_point")
            ]
            setup = BearingSetup(
                cam.width_px, cam.height_px, cam.hfov_deg, where, tower, *noisy, _horizon(cam)
            )
            az = solve_bearing(setup).azimuth_deg
            sig = bearing_sigma(
                setup,
                SigmaSources(
                    1.0,
                    PlacedPoint(f"camera:{name}", where),
                    PlacedPoint("landmark:t", tower, 15.0),
                ),
            )
            rays.append(CorrelatedRay(where, az, sig.independent_sigma_deg, sig.shared))
        truth = _latlon(*SITES["strike_point"])
        for fix, tally in (
            (locate_from_correlated_bearings(rays), "gls"),
            (
                locate_from_bearings(
                    [BearingRay(r.origin, r.azimuth_deg, r.sigma_deg) for r in rays]
                ),
                "plain",
            ),
        ):
            g = geodesy.inverse(fix.position, truth)
            a = math.radians(g.azimuth1_deg)
            d = np.array([g.distance_m * math.sin(a), g.distance_m * math.cos(a)])
            inside = d @ np.linalg.solve(np.array(fix.covariance_enu_m2), d) <= K2_95
            if tally == "gls":
                hits_gls += inside
            else:
                hits_plain += inside
    assert hits_gls / 300 > 0.9
    assert hits_plain < hits_gls
