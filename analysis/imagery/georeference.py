"""Georeferencing one image: automatic (against a reference mosaic) or from control points.

Both paths end in a :class:`GeorefResult`: the image's four outer corners on the ground
(top-left, top-right, bottom-right, bottom-left), the transform, the residual table and the
verdict. The transform of an automatic registration is a projective matrix from image
pixels to the reference's CRS; that of a GCP fit is its model about a local plane
(analysis.imagery.register_fit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from analysis.imagery.errors import RegistrationError
from analysis.imagery.mosaic import Mosaic
from analysis.imagery.register_auto import AutoRegistration, MosaicIndex, register_to_mosaic
from analysis.imagery.register_fit import Gcp, GcpFit, fit_gcps
from analysis.jobs import CancelToken, ProgressFn
from analysis.matching.geometry import apply_h

MAX_PROPOSED_GCPS = 24


@dataclass(frozen=True)
class GeorefResult:
    registered: bool
    reason: str
    method: str  # "auto" or "gcp"
    image_wh: tuple[int, int]
    corners: list[tuple[float, float]] | None = None
    transform: dict | None = None
    residuals: list[dict] = field(default_factory=list)
    rmse_m: float | None = None
    rmse_px: float | None = None
    details: dict = field(default_factory=dict)

    def pixel_to_latlon(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Image pixels to WGS84 through the stored transform (registered results only)."""
        if not self.registered or self.transform is None:
            raise RegistrationError("the image is not registered")
        return transform_pixels(self.transform, x, y)

    def to_json(self) -> dict:
        def num(v):
            return None if v is None or not math.isfinite(v) else float(v)

        return {
            "registered": self.registered,
            "reason": self.reason,
            "method": self.method,
            "image_wh": list(self.image_wh),
            "corners": None if self.corners is None
            else [{"lat": a, "lon": o} for a, o in self.corners],
            "transform": self.transform,
            "residuals": self.residuals,
            "rmse_m": num(self.rmse_m),
            "rmse_px": num(self.rmse_px),
            "details": self.details,
        }  # fmt: skip


def outer_corners(wh: tuple[int, int]) -> np.ndarray:
    w, h = wh
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])


def transform_pixels(transform: dict, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Apply a stored transform (either kind) to image pixels: WGS84 (lat, lon)."""
    if transform.get("kind") == "projective" and "crs" in transform:
        from analysis.imagery.georef import from_crs

        m = np.asarray(transform["matrix"], float)
        p = apply_h(m, np.column_stack([np.ravel(x), np.ravel(y)]).astype(float))
        return from_crs(transform["crs"], p[:, 0], p[:, 1])
    fit = GcpFit(
        transform["kind"], tuple(transform["origin_latlon"]), np.asarray(transform["params"]),
        np.asarray(transform.get("knots_px", np.zeros((0, 2)))),
    )  # fmt: skip
    return fit.pixel_to_latlon(np.ravel(x), np.ravel(y))


def _affine3(m: Mosaic) -> np.ndarray:
    a = m.georef.affine  # pixel centres: X = a0 + a1 (x + .5) + a2 (y + .5)
    return np.array([[a[1], a[2], a[0] + 0.5 * (a[1] + a[2])],
                     [a[4], a[5], a[3] + 0.5 * (a[4] + a[5])], [0, 0, 1.0]])  # fmt: skip


def georeference_auto(
    image: np.ndarray,
    reference: Mosaic | MosaicIndex,
    *,
    oblique: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> GeorefResult:
    """Register a near-nadir image against a georeferenced reference (see register_auto)."""
    index = reference if isinstance(reference, MosaicIndex) else MosaicIndex(reference)
    wh = (image.shape[1], image.shape[0])
    r = register_to_mosaic(image, index, oblique=oblique, progress=progress, cancel=cancel)
    details = _auto_details(r)
    if not r.registered:
        return GeorefResult(False, r.reason, "auto", wh, details=details)
    mos = index.mosaic
    matrix = _affine3(mos) @ r.homography
    matrix = matrix / matrix[2, 2]
    transform = {"kind": "projective", "crs": mos.georef.crs, "matrix": matrix.tolist(),
                 "maps": "image pixels (centres at integers) to the reference CRS"}  # fmt: skip
    q = apply_h(r.homography, outer_corners(wh))
    lat, lon = mos.georef.pixel_to_latlon(q[:, 0], q[:, 1])
    corners = [(float(a), float(o)) for a, o in zip(lat, lon, strict=True)]
    residuals, rmse_px = _proposed_gcps(r, mos, wh)
    return GeorefResult(True, r.reason, "auto", wh, corners, transform, residuals, r.rmse_m,
                        rmse_px, details)  # fmt: skip


def _auto_details(r: AutoRegistration) -> dict:
    return {"attempted": r.attempted, "inliers": r.n_inliers, "correlation": r.ncc,
            "tilt_from_nadir_deg": r.tilt_deg}  # fmt: skip


def _spread(points: np.ndarray, wh: tuple[int, int], n: int) -> np.ndarray:
    """Indices of up to ``n`` points, one per cell of a grid over the image where possible."""
    side = max(1, int(np.ceil(np.sqrt(n))))
    cx = np.clip((points[:, 0] / max(wh[0], 1) * side).astype(int), 0, side - 1)
    cy = np.clip((points[:, 1] / max(wh[1], 1) * side).astype(int), 0, side - 1)
    _, first = np.unique(cy * side + cx, return_index=True)
    rest = np.setdiff1d(np.arange(len(points)), first)
    return np.concatenate([first, rest])[:n]


def _proposed_gcps(r: AutoRegistration, mos: Mosaic, wh: tuple[int, int]) -> tuple[list, float]:
    """Up to MAX_PROPOSED_GCPS inliers spread over the image, as control points. Residuals:
    in image pixels (the reference point mapped back by the fit, against the image point) and
    in metres on the ground (the fit's point against the reference point)."""
    pi, pm = r.points_image, r.points_mosaic
    err_ref = np.linalg.norm(apply_h(r.homography, pi) - pm, axis=1)
    err_img = np.linalg.norm(apply_h(np.linalg.inv(r.homography), pm) - pi, axis=1)
    rmse_px = float(np.sqrt(np.mean(err_img**2))) if len(err_img) else 0.0
    gsd = mos.georef.pixel_size_m()
    pick = _spread(pi, wh, MAX_PROPOSED_GCPS)
    lat, lon = mos.georef.pixel_to_latlon(pm[pick, 0], pm[pick, 1])
    rows = []
    for k, i in enumerate(pick):
        res_px, res_m = float(err_img[i]), float(err_ref[i] * gsd)
        rows.append({"name": f"A{k + 1}", "x": float(pi[i, 0]), "y": float(pi[i, 1]),
                     "lat": float(lat[k]), "lon": float(lon[k]),
                     "residual_px": res_px, "residual_m": res_m})  # fmt: skip
    return rows, rmse_px


def georeference_gcps(image_wh: tuple[int, int], gcps: list[Gcp], kind: str) -> GeorefResult:
    """Fit ``kind`` to manual control points; raises RegistrationError on bad points."""
    fit = fit_gcps(gcps, kind)
    c = outer_corners(image_wh)
    lat, lon = fit.pixel_to_latlon(c[:, 0], c[:, 1])
    corners = [(float(a), float(o)) for a, o in zip(lat, lon, strict=True)]
    rows, k = [], 0
    for i, g in enumerate(gcps):
        row = {"name": g.name or f"P{i + 1}", "x": g.x, "y": g.y, "lat": g.lat, "lon": g.lon,
               "enabled": g.enabled, "residual_px": None, "residual_m": None}  # fmt: skip
        if g.enabled:
            row["residual_px"] = float(fit.residual_px[k])
            row["residual_m"] = float(fit.residual_m[k])
            k += 1
        rows.append(row)
    note = " (leave-one-out)" if kind == "tps" else ""
    reason = (f"{kind} fit to {k} control points, RMSE {fit.rmse_m:.2f} m "
              f"({fit.rmse_px:.2f} px){note}")  # fmt: skip
    return GeorefResult(True, reason, "gcp", image_wh, corners, fit.to_json(), rows, fit.rmse_m,
                        fit.rmse_px, {"kind": kind, "points": k})  # fmt: skip
