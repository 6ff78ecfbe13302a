"""Pinhole camera geometry: pixel azimuths and elevations, orientation, distance from size.

Conventions:

- World frame: local east-north-up (ENU) at the camera, metres; azimuth clockwise from true
  north, elevation up from the horizontal, degrees.
- Camera frame: OpenCV's (x right, y down, z forward along the optical axis), so that
  ``project`` equals ``cv2.projectPoints`` with ``rvec = Rodrigues(R)``, ``tvec = 0`` and
  distortion ``(k1, k2, 0, 0)`` (Brown-Conrady radial terms, as in OpenCV's camera model).
- Orientation: ``yaw_deg`` is the azimuth of the optical axis, ``pitch_deg`` its elevation,
  ``roll_deg`` a rotation about the axis, positive when the camera's right side dips (the
  world then appears turned counter-clockwise: the horizon rises to the right of the image).
- Pixels: origin top-left, x right, y down, pixel centres at integer coordinates (OpenCV);
  the default principal point is the image centre ((w - 1) / 2, (h - 1) / 2).
- Field of view: ``hfov_deg`` spans the full image width of the undistorted image, so
  fx = (w / 2) / tan(hfov / 2) in horizontal pixels; with non-square pixels of sample aspect
  ratio ``pixel_aspect`` (pixel width / pixel height) fy = fx * pixel_aspect.
- EXIF 35 mm-equivalent focal length: hfov = 2 atan(36 / (2 f35)), the 36 mm frame *width*
  convention (exact for a 3:2 sensor; cameras that report a diagonal-equivalent focal
  length on a 4:3 or 16:9 sensor differ by a few per cent: let the user override).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry.geodesy import EnuFrame, LatLon


def hfov_from_focal_35mm(focal_35mm_mm: float) -> float:
    """Horizontal field of view in degrees from a 35 mm-equivalent focal length (36 mm width).

    Raises:
        GeometryError: if the focal length is not positive.
    """
    if not (focal_35mm_mm > 0.0 and math.isfinite(focal_35mm_mm)):
        raise GeometryError(f"35 mm-equivalent focal length {focal_35mm_mm} mm is not positive")
    return math.degrees(2.0 * math.atan(36.0 / (2.0 * focal_35mm_mm)))


def rotation_enu_to_camera(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """3x3 rotation taking ENU vectors to the camera frame (rows: right, down, forward)."""
    psi, theta, phi = (math.radians(a) for a in (yaw_deg, pitch_deg, roll_deg))
    forward = np.array(
        [math.sin(psi) * math.cos(theta), math.cos(psi) * math.cos(theta), math.sin(theta)]
    )
    right0 = np.array([math.cos(psi), -math.sin(psi), 0.0])
    up0 = np.cross(right0, forward)
    right = right0 * math.cos(phi) - up0 * math.sin(phi)
    up = up0 * math.cos(phi) + right0 * math.sin(phi)
    return np.stack([right, -up, forward])


def euler_from_rotation(r: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of an ENU-to-camera rotation (inverse of the above)."""
    f = r[2]
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, float(f[2])))))
    yaw = math.degrees(math.atan2(float(f[0]), float(f[1]))) % 360.0
    roll = math.degrees(math.atan2(-float(r[0, 2]), -float(r[1, 2])))
    return yaw, pitch, roll


@dataclass(frozen=True)
class PinholeCamera:
    """A pinhole camera with orientation and optional radial distortion (see module doc)."""

    width_px: int
    height_px: int
    hfov_deg: float
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    pixel_aspect: float = 1.0
    principal_point_px: tuple[float, float] | None = None
    k1: float = 0.0
    k2: float = 0.0

    def __post_init__(self) -> None:
        if self.width_px <= 0 or self.height_px <= 0:
            raise GeometryError(f"image size {self.width_px}x{self.height_px} is not positive")
        if not 0.0 < self.hfov_deg < 180.0:
            raise GeometryError(f"horizontal field of view {self.hfov_deg} deg not in (0, 180)")
        if not (self.pixel_aspect > 0.0 and math.isfinite(self.pixel_aspect)):
            raise GeometryError(f"pixel aspect ratio {self.pixel_aspect} is not positive")

    @property
    def fx(self) -> float:
        return (self.width_px / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)

    @property
    def fy(self) -> float:
        return self.fx * self.pixel_aspect

    @property
    def principal_point(self) -> tuple[float, float]:
        if self.principal_point_px is not None:
            return self.principal_point_px
        return (self.width_px - 1) / 2.0, (self.height_px - 1) / 2.0

    def camera_matrix(self) -> np.ndarray:
        """OpenCV's intrinsic matrix K."""
        cx, cy = self.principal_point
        return np.array([[self.fx, 0.0, cx], [0.0, self.fy, cy], [0.0, 0.0, 1.0]])

    def rotation(self) -> np.ndarray:
        """ENU-to-camera rotation of this camera's orientation."""
        return rotation_enu_to_camera(self.yaw_deg, self.pitch_deg, self.roll_deg)

    def oriented(self, yaw_deg: float, pitch_deg: float, roll_deg: float) -> PinholeCamera:
        """The same camera with another orientation."""
        return replace(self, yaw_deg=yaw_deg, pitch_deg=pitch_deg, roll_deg=roll_deg)

    def project(self, enu: np.ndarray) -> np.ndarray:
        """Pixels (N, 2) of ENU points or directions (N, 3) seen from the camera at the origin.

        Raises:
            GeometryError: if a point is not in front of the camera.
        """
        cam = np.atleast_2d(np.asarray(enu, dtype=float)) @ self.rotation().T
        if np.any(cam[:, 2] <= 0.0):
            raise GeometryError("a point is behind the camera and has no pixel")
        x, y = cam[:, 0] / cam[:, 2], cam[:, 1] / cam[:, 2]
        r2 = x * x + y * y
        scale = 1.0 + self.k1 * r2 + self.k2 * r2 * r2
        cx, cy = self.principal_point
        return np.stack([self.fx * x * scale + cx, self.fy * y * scale + cy], axis=1)

    def normalized(self, x_px: float, y_px: float) -> tuple[float, float]:
        """Undistorted normalised image coordinates (x/z, y/z) of a pixel.

        Inverts the radial model by Newton's method on r_d = r (1 + k1 r^2 + k2 r^4).
        """
        cx, cy = self.principal_point
        xd, yd = (x_px - cx) / self.fx, (y_px - cy) / self.fy
        rd = math.hypot(xd, yd)
        if rd == 0.0 or (self.k1 == 0.0 and self.k2 == 0.0):
            return xd, yd
        r = rd
        for _ in range(50):
            f = r * (1.0 + self.k1 * r**2 + self.k2 * r**4) - rd
            df = 1.0 + 3.0 * self.k1 * r**2 + 5.0 * self.k2 * r**4
            if df <= 0.0:
                raise GeometryError(f"pixel ({x_px}, {y_px}) is outside the distortion model")
            step = f / df
            r -= step
            if abs(step) < 1e-15:
                break
        return xd * r / rd, yd * r / rd

    def pixel_direction(self, x_px: float, y_px: float) -> np.ndarray:
        """Unit ENU vector of the ray through a pixel."""
        x, y = self.normalized(x_px, y_px)
        d = self.rotation().T @ np.array([x, y, 1.0])
        return d / np.linalg.norm(d)

    def pixel_azimuth_elevation(self, x_px: float, y_px: float) -> tuple[float, float]:
        """(azimuth_deg clockwise from north in [0, 360), elevation_deg) of a pixel's ray."""
        e, n, u = self.pixel_direction(x_px, y_px)
        return (
            math.degrees(math.atan2(e, n)) % 360.0,
            math.degrees(math.asin(max(-1.0, min(1.0, float(u))))),
        )


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _camera_ray(camera: PinholeCamera, px: tuple[float, float]) -> np.ndarray:
    x, y = camera.normalized(*px)
    return _unit(np.array([x, y, 1.0]))


def enu_direction(azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Unit ENU vector of an azimuth and elevation."""
    a, e = math.radians(azimuth_deg), math.radians(elevation_deg)
    return np.array([math.cos(e) * math.sin(a), math.cos(e) * math.cos(a), math.sin(e)])


def landmark_direction(
    camera_position: LatLon,
    camera_height_m: float,
    landmark: LatLon,
    landmark_height_m: float,
) -> tuple[float, float]:
    """(azimuth_deg, elevation_deg) of a landmark seen from the camera, heights above WGS84.

    Straight-line sight in the camera's ENU frame, so the Earth's curvature is included;
    atmospheric refraction (about 1/7 of the curvature term) is not.
    """
    e, n, u = EnuFrame(camera_position, camera_height_m).to_enu(landmark, landmark_height_m)
    return math.degrees(math.atan2(e, n)) % 360.0, math.degrees(math.atan2(u, math.hypot(e, n)))


def with_reference_azimuth(
    camera: PinholeCamera, reference_px: tuple[float, float], reference_azimuth_deg: float
) -> PinholeCamera:
    """Set the yaw so that ``reference_px`` looks along ``reference_azimuth_deg``.

    Pitch and roll are kept (level the camera first with ``level_from_horizon`` or give
    them). Exact: yaw is a rotation about the vertical, which shifts every azimuth equally.
    """
    az0, _ = camera.oriented(0.0, camera.pitch_deg, camera.roll_deg).pixel_azimuth_elevation(
        *reference_px
    )
    yaw = (reference_azimuth_deg - az0) % 360.0
    return camera.oriented(yaw, camera.pitch_deg, camera.roll_deg)


def level_from_horizon(
    camera: PinholeCamera, first_px: tuple[float, float], second_px: tuple[float, float]
) -> PinholeCamera:
    """Pitch and roll from two pixels on the true horizon (elevation 0); yaw is kept.

    The horizontal plane through the camera projects to the horizon line; its normal in the
    camera frame is the world up vector (-cos p sin r, -cos p cos r, sin p), found as the
    cross product of the two pixel rays. The dip of a sea horizon (about 1.76' x sqrt(height
    in m)) is ignored.

    Raises:
        GeometryError: if the two pixels coincide.
    """
    n = np.cross(_camera_ray(camera, first_px), _camera_ray(camera, second_px))
    if np.linalg.norm(n) < 1e-12:
        raise GeometryError("the two horizon pixels coincide")
    n = _unit(n)
    if n[1] > 0.0:  # up must point towards the top of the image
        n = -n
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, float(n[2])))))
    roll = math.degrees(math.atan2(-float(n[0]), -float(n[1])))
    return camera.oriented(camera.yaw_deg, pitch, roll)


def distance_from_height_m(
    camera: PinholeCamera,
    top_px: tuple[float, float],
    bottom_px: tuple[float, float],
    height_m: float,
) -> float:
    """Horizontal distance to a vertical object of known height from its top and bottom.

    Exact for a vertical object given the camera's pitch and roll: the elevations e_t, e_b
    of the two pixels satisfy height = D (tan e_t - tan e_b).

    Raises:
        GeometryError: if the top does not appear above the bottom or the height is not > 0.
    """
    if not height_m > 0.0:
        raise GeometryError(f"object height {height_m} m is not positive")
    _, e_top = camera.pixel_azimuth_elevation(*top_px)
    _, e_bottom = camera.pixel_azimuth_elevation(*bottom_px)
    span = math.tan(math.radians(e_top)) - math.tan(math.radians(e_bottom))
    if span <= 0.0:
        raise GeometryError("the object's top does not appear above its bottom")
    return height_m / span


def distance_from_extent_m(
    camera: PinholeCamera,
    first_px: tuple[float, float],
    second_px: tuple[float, float],
    size_m: float,
) -> float:
    """Distance to an object of known size (width or height) from the angle it subtends.

    D = size / (2 tan(theta / 2)), theta the angle between the two pixel rays: the distance
    to the object's midpoint when the object is perpendicular to the line of sight.
    Distortion, non-square pixels and roll are accounted for by the rays.

    Raises:
        GeometryError: if the size is not positive or the pixels coincide.
    """
    if not size_m > 0.0:
        raise GeometryError(f"object size {size_m} m is not positive")
    c = float(np.clip(_camera_ray(camera, first_px) @ _camera_ray(camera, second_px), -1, 1))
    theta = math.acos(c)
    if theta <= 0.0:
        raise GeometryError("the two pixels coincide: the object subtends no angle")
    return size_m / (2.0 * math.tan(theta / 2.0))
