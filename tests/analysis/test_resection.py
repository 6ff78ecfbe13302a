"""Three-point resection recovers a known camera in the Hass area."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.ellipse import chi2_2dof_quantile
from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.resection import DirectionObservation, resect

# A rooftop about 2.8 km west of the school (the worked example's filming position).
ROOFTOP = LatLon(35.6209, 36.5221)


@dataclass(frozen=True)
class ResectionCase:
    """Camera, its heading, and landmarks placed by (azimuth, distance) from the camera."""

    name: str
    camera: LatLon
    heading_deg: float
    landmarks: tuple[tuple[float, float], ...]
    sigma_deg: float = 0.2

    def observations(self) -> list[DirectionObservation]:
        obs = []
        for i, (az, dist) in enumerate(self.landmarks):
            lm = geodesy.destination(self.camera, az, dist)
            direction = geodesy.angle_difference_deg(
                geodesy.azimuth_deg(self.camera, lm), self.heading_deg
            )
            obs.append(DirectionObservation(lm, direction, self.sigma_deg, f"L{i}"))
        return obs


CASES = [
    ResectionCase("three landmarks 0.9-3.1 km", ROOFTOP, 83.0,
                  ((60, 2800), (95, 3100), (130, 900))),
    ResectionCase("four landmarks up to 5 km", ROOFTOP, 83.0,
                  ((60, 2800), (95, 3100), (130, 900), (20, 5000))),
    ResectionCase("wide panorama, heading north-west", LatLon(35.63, 36.56), 315.0,
                  ((250, 400), (300, 1500), (350, 8000), (20, 150))),
    ResectionCase("across north (359 -> 1 deg wrap)", LatLon(35.61, 36.54), 0.0,
                  ((330, 700), (10, 2000), (40, 1200))),
    ResectionCase("one 40 deg frame, 0.05 deg pixels", ROOFTOP, 77.0,
                  ((60, 2800), (80, 3100), (100, 900)), sigma_deg=0.05),
    ResectionCase("one 35 deg frame, 150 m to 9 km", ROOFTOP, 57.0,
                  ((40, 150), (55, 9000), (75, 600)), sigma_deg=0.05),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_noise_free_resection_recovers_camera(case: ResectionCase) -> None:
    r = resect(case.observations())
    assert geodesy.distance_m(r.position, case.camera) < 0.01
    assert abs(geodesy.angle_difference_deg(r.orientation_deg, case.heading_deg)) < 1e-6
    assert max(abs(x) for x in r.residuals_deg) < 1e-6
    assert r.degrees_of_freedom == len(case.landmarks) - 3
    assert r.well_conditioned


def test_resection_from_a_given_start_point() -> None:
    case = CASES[0]
    start = geodesy.destination(case.camera, 200.0, 300.0)
    r = resect(case.observations(), initial=start)
    assert geodesy.distance_m(r.position, case.camera) < 0.01


def test_resection_ellipse_is_calibrated() -> None:
    case = CASES[1]
    rng = np.random.default_rng(7)
    k2 = chi2_2dof_quantile(0.95)
    truth = case.observations()
    inside, trials = 0, 400
    for _ in range(trials):
        noisy = [
            DirectionObservation(o.landmark, o.direction_deg + rng.normal(0, o.sigma_deg), 0.2)
            for o in truth
        ]
        r = resect(noisy)
        e, n, _ = EnuFrame(r.position).to_enu(case.camera)
        d = np.array([e, n])
        inside += float(d @ np.linalg.solve(np.array(r.covariance_enu_m2), d)) <= k2
    assert 0.92 <= inside / trials <= 0.98


def test_an_inconsistent_landmark_shows_in_the_residuals() -> None:
    case = CASES[1]
    obs = case.observations()
    bad = obs[3]
    obs[3] = DirectionObservation(bad.landmark, bad.direction_deg + 2.0, bad.sigma_deg, "moved")
    r = resect(obs)
    assert r.chi_square > 10.83  # beyond the 99.9 % point of chi-square with 1 dof
    # With one redundancy the blunder is spread over all rays, but it moves the camera.
    assert geodesy.distance_m(r.position, case.camera) > 10.0


def test_danger_circle_is_reported() -> None:
    # Camera on the circle through the three landmarks: the angles do not fix it.
    centre = LatLon(35.62, 36.55)
    on_circle = [geodesy.destination(centre, az, 1000.0) for az in (0.0, 90.0, 180.0, 250.0)]
    camera, landmarks = on_circle[3], on_circle[:3]
    obs = [DirectionObservation(lm, geodesy.azimuth_deg(camera, lm), 0.2) for lm in landmarks]
    try:
        r = resect(obs)
    except GeometryError as exc:
        assert "circle" in str(exc)
    else:
        assert not r.well_conditioned
        assert "circle" in r.message


def test_needs_three_landmarks() -> None:
    obs = CASES[0].observations()[:2]
    with pytest.raises(GeometryError, match="three"):
        resect(obs)
