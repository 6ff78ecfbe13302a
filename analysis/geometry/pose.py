"""Full 3-D camera pose from ground control points: position, height, orientation, field of view.

The frame's pixels are paired with positions on the ground (latitude, longitude and height
above the WGS84 ellipsoid). The unknowns are the camera centre, its orientation (yaw, pitch,
roll as in ``analysis.geometry.camera``), the horizontal field of view (unless given) and the
radial distortion k1 (from ``K1_MIN_POINTS`` points on). They are fitted by Levenberg-Marquardt
on the reprojection error in pixels (Hartley & Zisserman, *Multiple View Geometry*, 2nd ed.,
app. A6), in a local east-north-up frame at the control points' centroid
(``analysis.geometry.geodesy.EnuFrame``, exact 3-D: the Earth's curvature is included).

- The start comes from OpenCV's SQPnP (Terzakis & Lourakis 2020) at a grid of fields of view,
  the one that reprojects best taken.
- The orientation is updated as a small rotation of the camera frame (no gimbal lock at
  nadir); yaw, pitch and roll and their sigmas are read off at the end.
- The covariance is the a priori one, sigma_px^2 (J^T J)^-1, with J the Jacobian of the pixels
  (central differences): a clicked pixel's sigma is what it is, whatever the residuals say
  (with four points only one degree of freedom is left to judge them). The reduced chi-square
  is reported beside it.

Needs: 4 points (position 3 + rotation 3 + field of view 1 = 7 unknowns, 8 equations), 6 for
k1. Fewer points, coincident or collinear control points or pixels are refused; so is a fit
whose normal matrix is singular (a configuration that does not fix the pose).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from analysis.errors import GeometryError
from analysis.geometry.camera import PinholeCamera, euler_from_rotation, rotation_enu_to_camera
from analysis.geometry.geodesy import EnuFrame, LatLon

MIN_POINTS = 4
K1_MIN_POINTS = 6
PARAMETERS = ("east_m", "north_m", "up_m", "rot_x_rad", "rot_y_rad", "rot_z_rad", "hfov_deg", "k1")
_STEPS = (1e-3, 1e-3, 1e-3, 1e-7, 1e-7, 1e-7, 1e-6, 1e-7)
_HFOV_GRID_DEG = tuple(float(v) for v in np.geomspace(3.0, 120.0, 14))
_MAX_ITER = 200


@dataclass(frozen=True)
class ControlPoint:
    """A pixel of the frame and the ground position it shows (height above WGS84)."""

    x_px: float
    y_px: float
    lat_deg: float
    lon_deg: float
    height_m: float
    name: str = ""


@dataclass(frozen=True)
class PoseState:
    """Camera parameters in the fit's ENU frame (rotation: ENU to camera, rows right/down/fwd)."""

    centre_enu_m: tuple[float, float, float]
    rotation: tuple[tuple[float, float, float], ...]
    hfov_deg: float
    k1: float

    def matrix(self) -> np.ndarray:
        return np.array(self.rotation, dtype=float)


@dataclass(frozen=True)
class Pose:
    """A solved camera pose with its uncertainty (sigmas are one standard deviation)."""

    width_px: int
    height_px: int
    position: LatLon
    height_m: float
    yaw_deg: float  # orientation in the local ENU frame at the camera
    pitch_deg: float
    roll_deg: float
    hfov_deg: float
    k1: float
    sigmas: dict[str, float | None]  # east_m north_m height_m yaw pitch roll hfov_deg k1
    residuals_px: tuple[tuple[float, float], ...]
    rms_px: float
    sigma_px: float
    reduced_chi_square: float | None  # None without redundancy
    estimated: tuple[str, ...]  # names in PARAMETERS that were fitted
    covariance: tuple[tuple[float, ...], ...]  # over ``estimated``, in their units
    origin: LatLon  # the ENU frame of the fit and of the covariance
    origin_height_m: float
    state: PoseState

    def camera(self) -> PinholeCamera:
        """The analysis pinhole camera with this orientation, field of view and k1."""
        return PinholeCamera(
            self.width_px,
            self.height_px,
            self.hfov_deg,
            yaw_deg=self.yaw_deg,
            pitch_deg=self.pitch_deg,
            roll_deg=self.roll_deg,
            k1=self.k1,
        )

    def orientation_in(self, origin: LatLon) -> tuple[float, float, float]:
        """(yaw, pitch, roll) in degrees in the ENU frame at ``origin`` (not at the camera)."""
        return angles(rotation_at(self.state.matrix(), self.origin, origin))

    def frame(self) -> EnuFrame:
        """The local ENU frame the state and covariance are expressed in."""
        return EnuFrame(self.origin, self.origin_height_m)


def enu_axes(point: LatLon) -> np.ndarray:
    """Rows: the east, north and up unit vectors at a point, in ECEF."""
    phi, lam = math.radians(point.lat_deg), math.radians(point.lon_deg)
    sp, cp, sl, cl = math.sin(phi), math.cos(phi), math.sin(lam), math.cos(lam)
    return np.array([[-sl, cl, 0.0], [-sp * cl, -sp * sl, cp], [cp * cl, cp * sl, sp]])


def rotation_at(rotation: np.ndarray, fit_origin: LatLon, origin: LatLon) -> np.ndarray:
    """An ENU-to-camera rotation of the fit's frame re-expressed in the ENU frame at ``origin``."""
    return rotation @ enu_axes(fit_origin) @ enu_axes(origin).T


def angles(rotation: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees; looking straight down or up (within 0.01 deg), the roll
    is folded into the yaw: roll 0 and yaw the azimuth of the image's top."""
    yaw, pitch, roll = euler_from_rotation(rotation)
    if abs(pitch) > 89.99:
        up = -rotation[1]
        return math.degrees(math.atan2(up[0], up[1])) % 360.0, pitch, 0.0
    return yaw, pitch, roll


def small_rotation(w: np.ndarray) -> np.ndarray:
    """Rotation matrix of a rotation vector (Rodrigues)."""
    theta = float(np.linalg.norm(w))
    if theta < 1e-15:
        return np.eye(3)
    k = w / theta
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(theta) * kx + (1.0 - math.cos(theta)) * (kx @ kx)


def apply_update(state: PoseState, delta: np.ndarray, free: Sequence[bool]) -> PoseState:
    """The state moved by ``delta`` over the free parameters (rotation: camera-frame vector)."""
    full = np.zeros(len(PARAMETERS))
    full[np.asarray(free)] = delta
    c = np.asarray(state.centre_enu_m) + full[:3]
    r = small_rotation(full[3:6]) @ state.matrix()
    return PoseState(
        tuple(float(v) for v in c),
        tuple(tuple(float(v) for v in row) for row in r),
        state.hfov_deg + float(full[6]),
        state.k1 + float(full[7]),
    )


def project_enu(state: PoseState, size: tuple[int, int], points: np.ndarray) -> np.ndarray:
    """Pixels (N, 2) of ENU points (N, 3); NaN for points not in front of the camera."""
    w, h = size
    if not 0.0 < state.hfov_deg < 180.0:
        return np.full((len(points), 2), np.nan)
    cam = (np.asarray(points, dtype=float) - np.asarray(state.centre_enu_m)) @ state.matrix().T
    z = np.where(cam[:, 2] > 1e-9, cam[:, 2], np.nan)
    x, y = cam[:, 0] / z, cam[:, 1] / z
    scale = 1.0 + state.k1 * (x * x + y * y)
    f = (w / 2.0) / math.tan(math.radians(state.hfov_deg) / 2.0)
    return np.stack([f * x * scale + (w - 1) / 2.0, f * y * scale + (h - 1) / 2.0], axis=1)


def _check_input(points: Sequence[ControlPoint], enu: np.ndarray, n_min: int) -> None:
    if len(points) < n_min:
        raise GeometryError(f"a pose needs at least {n_min} control points here, got {len(points)}")
    px = np.array([(p.x_px, p.y_px) for p in points], dtype=float)
    if not (np.all(np.isfinite(px)) and np.all(np.isfinite(enu))):
        raise GeometryError("a control point has a coordinate that is not a number")
    for what, arr, tol in (("control points", enu, 0.05), ("pixels", px, 0.5)):
        centred = arr - arr.mean(axis=0)
        s = np.linalg.svd(centred, compute_uv=False)
        if s[0] < tol:
            raise GeometryError(f"the {what} coincide: a pose needs points spread out")
        if s[1] < 1e-3 * s[0] or s[1] < tol:
            raise GeometryError(
                f"the {what} are collinear: a pose needs points that are not on one line"
            )


def _start(px: np.ndarray, enu: np.ndarray, size: tuple[int, int], hfov: float | None):
    """SQPnP at a grid of fields of view (or the given one); the best reprojection wins."""
    best: tuple[float, PoseState] | None = None
    w, h = size
    for fov in (hfov,) if hfov is not None else _HFOV_GRID_DEG:
        f = (w / 2.0) / math.tan(math.radians(fov) / 2.0)
        k = np.array([[f, 0.0, (w - 1) / 2.0], [0.0, f, (h - 1) / 2.0], [0.0, 0.0, 1.0]])
        try:
            ok, rvec, tvec = cv2.solvePnP(
                enu.reshape(-1, 1, 3), px.reshape(-1, 1, 2), k, None, flags=cv2.SOLVEPNP_SQPNP
            )
        except cv2.error:  # SQPnP refuses a spread of rays it judges too small at this fov
            continue
        if not ok:
            continue
        r, _ = cv2.Rodrigues(rvec)
        c = -r.T @ tvec.ravel()
        state = PoseState(tuple(c.tolist()), tuple(map(tuple, r.tolist())), fov, 0.0)
        err = project_enu(state, size, enu) - px
        cost = float(np.nansum(err**2)) if np.all(np.isfinite(err)) else math.inf
        if best is None or cost < best[0]:
            best = (cost, state)
    if best is None or not math.isfinite(best[0]):
        raise GeometryError("no camera pose puts every control point in front of the camera")
    return best[1]


def _jacobian(state, free, size, enu) -> np.ndarray:
    cols = []
    for i in np.flatnonzero(free):
        step = np.zeros(int(np.sum(free)))
        j = int(np.sum(np.asarray(free)[:i]))
        step[j] = _STEPS[i]
        hi = project_enu(apply_update(state, step, free), size, enu)
        lo = project_enu(apply_update(state, -step, free), size, enu)
        cols.append(((hi - lo) / (2.0 * _STEPS[i])).ravel())
    return np.stack(cols, axis=1)


def _levenberg_marquardt(state, free, size, enu, px):
    """Minimise the squared reprojection error; returns the state and the last Jacobian."""
    lam = 1e-3
    res = (project_enu(state, size, enu) - px).ravel()
    cost = float(res @ res)
    for _ in range(_MAX_ITER):
        jac = _jacobian(state, free, size, enu)
        a, g = jac.T @ jac, jac.T @ res
        improved, done = False, False
        while lam < 1e12:
            damped = a + lam * np.diag(np.maximum(np.diag(a), 1e-12))
            try:
                step = -np.linalg.solve(damped, g)
            except np.linalg.LinAlgError:
                lam *= 10.0
                continue
            trial = apply_update(state, step, free)
            r2 = (project_enu(trial, size, enu) - px).ravel()
            c2 = float(r2 @ r2) if np.all(np.isfinite(r2)) else math.inf
            if c2 <= cost:
                done = cost - c2 <= 1e-14 * (1.0 + cost)
                state, res, cost, improved = trial, r2, c2, True
                lam = max(lam / 10.0, 1e-9)
                break
            lam *= 10.0
        if not improved or done:
            break
    return state, _jacobian(state, free, size, enu), res


def _euler_sigmas(rotation: np.ndarray, cov_rot: np.ndarray) -> tuple[float, float, float]:
    """Sigmas of (yaw, pitch, roll) in degrees from the rotation vector's covariance."""
    jac = np.zeros((3, 3))
    for i in range(3):
        w = np.zeros(3)
        w[i] = 1e-6
        hi = np.array(angles(small_rotation(w) @ rotation))
        lo = np.array(angles(small_rotation(-w) @ rotation))
        jac[:, i] = ((hi - lo + 180.0) % 360.0 - 180.0) / 2e-6
    cov = jac @ cov_rot @ jac.T
    return tuple(math.sqrt(max(float(v), 0.0)) for v in np.diag(cov))  # type: ignore[return-value]


def solve_pose(
    points: Sequence[ControlPoint],
    size: tuple[int, int],
    *,
    sigma_px: float = 1.0,
    hfov_deg: float | None = None,
    estimate_k1: bool | None = None,
) -> Pose:
    """The camera's full pose from control points (see the module doc).

    Args:
        points: At least 4 pixel-to-ground pairs (6 to estimate k1).
        size: (width_px, height_px) of the frame.
        sigma_px: One standard deviation of a clicked pixel, > 0.
        hfov_deg: The known horizontal field of view, or None to estimate it.
        estimate_k1: Fit the radial distortion k1; None: when there are 6 points or more.

    Raises:
        GeometryError: too few points, coincident or collinear points or pixels, no pose with
            every point in front of the camera, or a configuration that does not fix the pose.
    """
    if not (sigma_px > 0.0 and math.isfinite(sigma_px)):
        raise GeometryError(f"pixel sigma {sigma_px} is not positive")
    if size[0] <= 0 or size[1] <= 0:
        raise GeometryError(f"frame size {size[0]}x{size[1]} is not positive")
    if estimate_k1 is None:
        estimate_k1 = len(points) >= K1_MIN_POINTS
    n_min = K1_MIN_POINTS if estimate_k1 else MIN_POINTS
    if len(points) < n_min:
        raise GeometryError(f"a pose needs at least {n_min} control points, got {len(points)}")
    heights = [p.height_m for p in points]
    lat = float(np.mean([p.lat_deg for p in points]))
    lon = float(np.mean([p.lon_deg for p in points]))
    origin, origin_h = LatLon(lat, lon), float(np.mean(heights))
    frame = EnuFrame(origin, origin_h)
    enu = np.array([frame.to_enu(LatLon(p.lat_deg, p.lon_deg), p.height_m) for p in points])
    _check_input(points, enu, n_min)
    px = np.array([(p.x_px, p.y_px) for p in points], dtype=float)
    free = [True] * 6 + [hfov_deg is None, bool(estimate_k1)]
    state = _start(px, enu, size, hfov_deg)
    state, jac, res = _levenberg_marquardt(state, free, size, enu, px)
    return _finish(state, free, jac, res, frame, size, sigma_px)


def _finish(state, free, jac, res, frame: EnuFrame, size, sigma_px) -> Pose:
    normal = jac.T @ jac
    scale = np.sqrt(np.maximum(np.diag(normal), 1e-300))
    scaled = normal / np.outer(scale, scale)
    if np.linalg.cond(scaled) > 1e12:
        raise GeometryError(
            "the control points do not fix the pose (a degenerate configuration): "
            "add points spread across the frame and at different distances"
        )
    cov = sigma_px**2 * np.linalg.inv(normal)
    names = tuple(n for n, f in zip(PARAMETERS, free, strict=True) if f)
    dof = res.size - len(names)
    position, height = frame.from_enu(*state.centre_enu_m)
    local = rotation_at(state.matrix(), frame.origin, position)
    yaw, pitch, roll = angles(local)
    ys, ps, rs = _euler_sigmas(local, cov[3:6, 3:6])
    idx = {n: k for k, n in enumerate(names)}

    def sd(name: str) -> float | None:
        return math.sqrt(float(cov[idx[name], idx[name]])) if name in idx else None

    sigmas = {
        "east_m": sd("east_m"),
        "north_m": sd("north_m"),
        "height_m": sd("up_m"),
        "yaw_deg": ys,
        "pitch_deg": ps,
        "roll_deg": rs,
        "hfov_deg": sd("hfov_deg"),
        "k1": sd("k1"),
    }
    pairs = res.reshape(-1, 2)
    return Pose(
        width_px=int(size[0]),
        height_px=int(size[1]),
        position=position,
        height_m=height,
        yaw_deg=yaw,
        pitch_deg=pitch,
        roll_deg=roll,
        hfov_deg=state.hfov_deg,
        k1=state.k1,
        sigmas=sigmas,
        residuals_px=tuple((float(a), float(b)) for a, b in pairs),
        rms_px=float(math.sqrt(np.mean(np.sum(pairs**2, axis=1)))),
        sigma_px=float(sigma_px),
        reduced_chi_square=float(res @ res / sigma_px**2 / dof) if dof > 0 else None,
        estimated=names,
        covariance=tuple(tuple(float(v) for v in row) for row in cov),
        origin=frame.origin,
        origin_height_m=frame.height_m,
        state=state,
    )


def state_from_angles(
    frame: EnuFrame,
    position: LatLon,
    height_m: float,
    ypr_deg: tuple[float, float, float],
    hfov_deg: float,
    k1: float = 0.0,
) -> PoseState:
    """A fit state in ``frame`` from a camera's position and its angles at the camera."""
    c = frame.to_enu(position, height_m)
    local = rotation_enu_to_camera(*ypr_deg)
    r = rotation_at(local, position, frame.origin)
    return PoseState(tuple(c), tuple(map(tuple, r.tolist())), hfov_deg, k1)
