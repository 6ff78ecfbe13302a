"""Camera model against OpenCV's independent projection (cv2.projectPoints) with known truth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import GeometryError
from analysis.geometry import camera as cam
from analysis.geometry import geodesy
from analysis.geometry.camera import PinholeCamera, enu_direction
from analysis.geometry.geodesy import LatLon


@dataclass(frozen=True)
class CameraCase:
    """A true camera; the test projects known directions through it with OpenCV."""

    name: str
    camera: PinholeCamera


CASES = [
    CameraCase("level 1920x1080", PinholeCamera(1920, 1080, 60.0, yaw_deg=75.0)),
    CameraCase(
        "10 deg roll, pitched down",
        PinholeCamera(1920, 1080, 65.0, yaw_deg=83.0, pitch_deg=-4.0, roll_deg=10.0),
    ),
    CameraCase(
        "-10 deg roll, anamorphic pixels, distortion",
        PinholeCamera(
            720, 576, 50.0, yaw_deg=350.0, pitch_deg=3.0, roll_deg=-10.0,
            pixel_aspect=16 / 15, k1=-0.12, k2=0.03,
        ),
    ),
    CameraCase(
        "phone portrait, off-centre principal point",
        PinholeCamera(
            1080, 1920, 40.0, yaw_deg=200.0, roll_deg=10.0, principal_point_px=(530.0, 975.0),
            k1=0.05,
        ),
    ),
]  # fmt: skip

# True directions (azimuth, elevation) relative to each camera's yaw: inside a 40 deg view.
OFFSETS = [(-15.0, 2.0), (-5.0, -6.0), (0.0, 0.0), (8.0, 4.0), (14.0, -1.0), (3.0, 9.0)]


def _cv2_pixels(camera: PinholeCamera, dirs: np.ndarray) -> np.ndarray:
    rvec, _ = cv2.Rodrigues(camera.rotation())
    dist = np.array([camera.k1, camera.k2, 0.0, 0.0])
    px, _ = cv2.projectPoints(dirs * 1000.0, rvec, np.zeros(3), camera.camera_matrix(), dist)
    return px.reshape(-1, 2)


def _truth(camera: PinholeCamera) -> tuple[list[tuple[float, float]], np.ndarray]:
    az_el = [((camera.yaw_deg + da) % 360.0, de) for da, de in OFFSETS]
    return az_el, np.array([enu_direction(a, e) for a, e in az_el])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_project_matches_opencv(case: CameraCase) -> None:
    _, dirs = _truth(case.camera)
    np.testing.assert_allclose(case.camera.project(dirs), _cv2_pixels(case.camera, dirs), atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_pixel_azimuths_of_opencv_projections(case: CameraCase) -> None:
    az_el, dirs = _truth(case.camera)
    for (az, el), (x, y) in zip(az_el, _cv2_pixels(case.camera, dirs), strict=True):
        got_az, got_el = case.camera.pixel_azimuth_elevation(float(x), float(y))
        assert abs(geodesy.angle_difference_deg(got_az, az)) < 1e-6
        assert got_el == pytest.approx(el, abs=1e-6)


def test_ignoring_ten_degrees_of_roll_gives_wrong_azimuths() -> None:
    true = CASES[1].camera
    az_el, dirs = _truth(true)
    unrolled = true.oriented(true.yaw_deg, true.pitch_deg, 0.0)
    errors = [
        abs(geodesy.angle_difference_deg(unrolled.pixel_azimuth_elevation(*map(float, p))[0], a))
        for (a, _), p in zip(az_el, _cv2_pixels(true, dirs), strict=True)
    ]
    assert max(errors) > 0.5  # the roll matters: a level model is off by more than 0.5 deg


@pytest.mark.parametrize("case", CASES[1:], ids=lambda c: c.name)
def test_yaw_from_one_reference_landmark(case: CameraCase) -> None:
    true = case.camera
    az_el, dirs = _truth(true)
    pixels = _cv2_pixels(true, dirs)
    unknown_yaw = true.oriented(123.0, true.pitch_deg, true.roll_deg)
    fitted = cam.with_reference_azimuth(unknown_yaw, tuple(pixels[0]), az_el[0][0])
    assert abs(geodesy.angle_difference_deg(fitted.yaw_deg, true.yaw_deg)) < 1e-6
    for (az, _), p in zip(az_el[1:], pixels[1:], strict=True):
        got = fitted.pixel_azimuth_elevation(float(p[0]), float(p[1]))[0]
        assert abs(geodesy.angle_difference_deg(got, az)) < 1e-6


@pytest.mark.parametrize("case", CASES[1:], ids=lambda c: c.name)
def test_pitch_and_roll_from_the_horizon(case: CameraCase) -> None:
    true = case.camera
    horizon = np.array([enu_direction(true.yaw_deg + d, 0.0) for d in (-12.0, 9.0)])
    p1, p2 = _cv2_pixels(true, horizon)
    level = true.oriented(true.yaw_deg, 0.0, 0.0)
    fitted = cam.level_from_horizon(level, tuple(p1), tuple(p2))
    assert fitted.roll_deg == pytest.approx(true.roll_deg, abs=1e-6)
    assert fitted.pitch_deg == pytest.approx(true.pitch_deg, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(yaw=st.floats(0.0, 360.0), pitch=st.floats(-30.0, 30.0), roll=st.floats(-45.0, 45.0))
def test_euler_round_trip(yaw: float, pitch: float, roll: float) -> None:
    r = cam.rotation_enu_to_camera(yaw, pitch, roll)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    y2, p2, r2 = cam.euler_from_rotation(r)
    assert abs(geodesy.angle_difference_deg(y2, yaw)) < 1e-9
    assert p2 == pytest.approx(pitch, abs=1e-9)
    assert r2 == pytest.approx(roll, abs=1e-9)


def test_hfov_from_35mm_focal_length() -> None:
    # 36 mm width convention: a 36 mm frame at f = 18 mm spans exactly 2 atan(1) = 90 deg.
    assert cam.hfov_from_focal_35mm(18.0) == pytest.approx(90.0)
    assert cam.hfov_from_focal_35mm(26.0) == pytest.approx(69.3903, abs=1e-4)
    with pytest.raises(GeometryError):
        cam.hfov_from_focal_35mm(0.0)


def test_distance_from_height_of_a_water_tower() -> None:
    # A 25 m tower 640 m away, camera 12 m up on a roof, 10 deg roll.
    true = CASES[1].camera
    top = np.array(
        [
            [
                math.sin(math.radians(true.yaw_deg)) * 640,
                math.cos(math.radians(true.yaw_deg)) * 640,
                13.0,
            ]
        ]
    )
    bottom = top - np.array([[0.0, 0.0, 25.0]])
    (pt,), (pb,) = (
        _cv2_pixels(true, top / np.linalg.norm(top)),
        _cv2_pixels(true, bottom / np.linalg.norm(bottom)),
    )
    assert cam.distance_from_height_m(true, tuple(pt), tuple(pb), 25.0) == pytest.approx(
        640.0, rel=1e-9
    )
    with pytest.raises(GeometryError):
        cam.distance_from_height_m(true, tuple(pb), tuple(pt), 25.0)


def test_distance_from_width_of_a_building() -> None:
    # A 30 m facade perpendicular to the line of sight, its centre 400 m away.
    true = CASES[2].camera
    axis = enu_direction(true.yaw_deg + 5.0, 0.0)
    across = np.array([axis[1], -axis[0], 0.0])
    ends = np.stack([400 * axis + 15 * across, 400 * axis - 15 * across])
    p1, p2 = _cv2_pixels(true, ends / np.linalg.norm(ends, axis=1, keepdims=True))
    assert cam.distance_from_extent_m(true, tuple(p1), tuple(p2), 30.0) == pytest.approx(
        400.0, rel=1e-9
    )


def test_landmark_direction_includes_earth_curvature() -> None:
    camera = LatLon(35.6209, 36.5221)
    far = geodesy.destination(camera, 90.0, 10_000.0)
    az, el = cam.landmark_direction(camera, 0.0, far, 0.0)
    assert az == pytest.approx(geodesy.inverse(camera, far).azimuth1_deg, abs=1e-3)
    # A point on the ellipsoid 10 km away sits below the horizontal by about d / (2R).
    assert el == pytest.approx(-math.degrees(10_000.0 / (2 * 6.37e6)), rel=0.01)


def test_invalid_cameras_are_rejected() -> None:
    with pytest.raises(GeometryError):
        PinholeCamera(0, 10, 50.0)
    with pytest.raises(GeometryError):
        PinholeCamera(10, 10, 180.0)
    with pytest.raises(GeometryError):
        PinholeCamera(10, 10, 50.0).project(np.array([[0.0, -1.0, 0.0]]))


@settings(max_examples=60, deadline=None)
@given(
    case=st.sampled_from(CASES),
    dx=st.floats(-0.45, 0.45),
    dy=st.floats(-0.45, 0.45),
)
def test_pixel_to_direction_inverts_projection(case: CameraCase, dx: float, dy: float) -> None:
    c = case.camera
    x, y = c.principal_point[0] + dx * c.width_px, c.principal_point[1] + dy * c.height_px
    (px,) = c.project(c.pixel_direction(x, y)[None, :])
    assert px == pytest.approx((x, y), abs=1e-6)
