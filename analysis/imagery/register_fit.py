"""Fitting an image to the ground from manual control points (GCPs).

Four models, from image pixels (x right, y down, centres at integers) to a local plane:
similarity (4 parameters, 2+ points), affine (6, 3+), projective (8, 4+; the normalised DLT,
Hartley & Zisserman 2004, alg. 4.2) and thin-plate spline (affine + bending, 3+ points;
Bookstein 1989, U(r) = r^2 log r^2). The plane is an azimuthal equidistant projection on
WGS84 centred on the points' mean (metres east and north; distortion under 1 mm over a few
km), so residuals are in metres. A thin-plate spline passes through every point, so its
residuals are leave-one-out: the error at a point when the fit is made without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.imagery.errors import RegistrationError
from analysis.imagery.georef import from_crs, to_crs

KINDS = ("similarity", "affine", "projective", "tps")
MIN_POINTS = {"similarity": 2, "affine": 3, "projective": 4, "tps": 3}
COLLINEAR_RATIO = 1e-3


@dataclass(frozen=True)
class Gcp:
    """One control point: image pixel (x, y) and its WGS84 position."""

    x: float
    y: float
    lat: float
    lon: float
    enabled: bool = True
    name: str = ""


def local_crs(lat0: float, lon0: float) -> str:
    return f"+proj=aeqd +lat_0={lat0:.9f} +lon_0={lon0:.9f} +datum=WGS84 +units=m +no_defs"


@dataclass(frozen=True, eq=False)
class GcpFit:
    """A fitted model with per-point residuals (enabled points only, in input order)."""

    kind: str
    origin: tuple[float, float]
    params: np.ndarray  # 3x3 for the matrix models; TPS: (n+3, 2) weights then affine
    centres: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # TPS knots (px)
    residual_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    residual_px: np.ndarray = field(default_factory=lambda: np.zeros(0))
    residual_en_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))

    @property
    def rmse_m(self) -> float:
        return float(np.sqrt(np.mean(self.residual_m**2))) if self.residual_m.size else 0.0

    @property
    def rmse_px(self) -> float:
        return float(np.sqrt(np.mean(self.residual_px**2))) if self.residual_px.size else 0.0

    def to_plane(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Image pixels to metres east and north of ``origin``."""
        p = np.column_stack([np.ravel(x), np.ravel(y)]).astype(float)
        if self.kind == "tps":
            out = _tps_eval(self.params, self.centres, p)
        else:
            q = np.column_stack([p, np.ones(len(p))]) @ self.params.T
            out = q[:, :2] / q[:, 2:3]
        shape = np.shape(x)
        return out[:, 0].reshape(shape), out[:, 1].reshape(shape)

    def pixel_to_latlon(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e, n = self.to_plane(x, y)
        return from_crs(local_crs(*self.origin), e, n)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "origin_latlon": list(self.origin),
               "plane": "azimuthal equidistant (metres east, north) about origin",
               "params": np.asarray(self.params).tolist()}  # fmt: skip
        if self.kind == "tps":
            out["knots_px"] = self.centres.tolist()
        return out


def _check_spread(p: np.ndarray, what: str, need_2d: bool) -> None:
    c = p - p.mean(axis=0)
    s = np.linalg.svd(c, compute_uv=False) if len(p) > 1 else np.zeros(2)
    if s[0] < 1e-9:
        raise RegistrationError(f"the {what} points all coincide")
    if need_2d and s[1] / s[0] < COLLINEAR_RATIO:
        raise RegistrationError(f"the {what} points are collinear: the fit has no second axis")


def _normaliser(p: np.ndarray) -> np.ndarray:
    c = p.mean(axis=0)
    s = np.sqrt(2) / max(np.mean(np.linalg.norm(p - c, axis=1)), 1e-12)
    return np.array([[s, 0, -s * c[0]], [0, s, -s * c[1]], [0, 0, 1.0]])


def _fit_matrix(kind: str, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 matrix from src to dst (normalised coordinates, least squares)."""
    ts, td = _normaliser(src), _normaliser(dst)
    a = (np.column_stack([src, np.ones(len(src))]) @ ts.T)[:, :2]
    b = (np.column_stack([dst, np.ones(len(dst))]) @ td.T)[:, :2]
    n = len(a)
    if kind == "similarity":
        # [x -y 1 0; y x 0 1] (p, q, tx, ty): a rotation-scale and a shift
        m = np.zeros((2 * n, 4))
        m[0::2] = np.column_stack([a[:, 0], -a[:, 1], np.ones(n), np.zeros(n)])
        m[1::2] = np.column_stack([a[:, 1], a[:, 0], np.zeros(n), np.ones(n)])
        p, q, tx, ty = np.linalg.lstsq(m, b.ravel(), rcond=None)[0]
        h = np.array([[p, -q, tx], [q, p, ty], [0, 0, 1.0]])
    elif kind == "affine":
        m = np.column_stack([a, np.ones(n)])
        sol = np.linalg.lstsq(m, b, rcond=None)[0]
        h = np.vstack([sol.T, [0, 0, 1.0]])
    else:
        rows = []
        for (x, y), (u, v) in zip(a, b, strict=True):
            rows.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
            rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        _, sv, vt = np.linalg.svd(np.array(rows))
        h = vt[-1].reshape(3, 3)
        if len(sv) >= 9 and sv[-2] < 1e-10 * sv[0]:
            raise RegistrationError("the points do not fix a projective transform (degenerate)")
    h = np.linalg.inv(td) @ h @ ts
    if abs(h[2, 2]) < 1e-15:
        raise RegistrationError("the projective fit is degenerate (a point at infinity)")
    return h / h[2, 2]


def _fit_matrix_oriented(kind: str, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """As :func:`_fit_matrix`; a similarity is tried mirrored too (y down, north up) and the
    better of the two kept: a rotation-and-scale cannot turn one handedness into the other."""
    if kind != "similarity":
        return _fit_matrix(kind, src, dst)
    flip = np.diag([1.0, -1.0, 1.0])
    best, best_err = None, np.inf
    for f in (flip, np.eye(3)):
        h = _fit_matrix(kind, src * np.diag(f)[:2], dst) @ f
        q = np.column_stack([src, np.ones(len(src))]) @ h.T
        err = float(np.sum((q[:, :2] / q[:, 2:3] - dst) ** 2))
        if err < best_err:
            best, best_err = h, err
    return best


def _tps_u(r2: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r2 > 0, r2 * np.log(r2), 0.0)


def _tps_fit(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    n = len(src)
    k = _tps_u(((src[:, None, :] - src[None, :, :]) ** 2).sum(-1))
    p = np.column_stack([np.ones(n), src])
    a = np.zeros((n + 3, n + 3))
    a[:n, :n], a[:n, n:], a[n:, :n] = k, p, p.T
    rhs = np.zeros((n + 3, 2))
    rhs[:n] = dst
    try:
        return np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError as exc:
        raise RegistrationError("the thin-plate spline system is singular") from exc


def _tps_eval(params: np.ndarray, centres: np.ndarray, p: np.ndarray) -> np.ndarray:
    n = len(centres)
    u = _tps_u(((p[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    return u @ params[:n] + np.column_stack([np.ones(len(p)), p]) @ params[n:]


def fit_gcps(gcps: list[Gcp], kind: str = "projective") -> GcpFit:
    """Fit ``kind`` to the enabled GCPs, with residuals in metres and pixels.

    Raises:
        RegistrationError: unknown kind, fewer points than the kind needs, points that
            coincide or lie on a line (for all but a similarity), or a degenerate system.
    """
    if kind not in KINDS:
        raise RegistrationError(f"transform {kind!r} is not one of {', '.join(KINDS)}")
    pts = [g for g in gcps if g.enabled]
    need = MIN_POINTS[kind]
    if len(pts) < need:
        raise RegistrationError(
            f"a {kind} fit needs at least {need} control points, {len(pts)} given"
        )
    px = np.array([[g.x, g.y] for g in pts], float)
    lat, lon = np.array([g.lat for g in pts]), np.array([g.lon for g in pts])
    if not (np.all(np.isfinite(px)) and np.all(np.abs(lat) <= 90) and np.all(np.abs(lon) <= 180)):
        raise RegistrationError("a control point has a non-finite pixel or an impossible lat/lon")
    origin = (float(lat.mean()), float(lon.mean()))
    ground = np.column_stack(to_crs(local_crs(*origin), lat, lon))
    _check_spread(px, "image", kind != "similarity")
    _check_spread(ground, "ground", kind != "similarity")
    if kind == "tps":
        params = _tps_fit(px, ground)
        fit = GcpFit(kind, origin, params, px.copy())
        loo = _tps_leave_one_out(px, ground) if len(px) > 3 else np.zeros_like(ground)
        return _with_residuals(fit, px, loo)
    fit = GcpFit(kind, origin, _fit_matrix_oriented(kind, px, ground))
    e, n = fit.to_plane(px[:, 0], px[:, 1])
    return _with_residuals(fit, px, np.column_stack([e, n]) - ground)


def _tps_leave_one_out(px: np.ndarray, ground: np.ndarray) -> np.ndarray:
    out = np.zeros_like(ground)
    for i in range(len(px)):
        keep = np.arange(len(px)) != i
        params = _tps_fit(px[keep], ground[keep])
        out[i] = _tps_eval(params, px[keep], px[i : i + 1])[0] - ground[i]
    return out


def _with_residuals(fit: GcpFit, px: np.ndarray, res_en: np.ndarray) -> GcpFit:
    """Residuals in metres and, through the local scale of the fit, in image pixels."""
    d = 0.5
    ex, nx = fit.to_plane(px[:, 0] + d, px[:, 1])
    ey, ny = fit.to_plane(px[:, 0], px[:, 1] + d)
    e0, n0 = fit.to_plane(px[:, 0], px[:, 1])
    det = ((ex - e0) * (ny - n0) - (ey - e0) * (nx - n0)) / d**2
    m_per_px = np.sqrt(np.abs(det))
    res_m = np.linalg.norm(res_en, axis=1)
    res_px = res_m / np.maximum(m_per_px, 1e-12)
    return GcpFit(fit.kind, fit.origin, fit.params, fit.centres, res_m, res_px, res_en)
