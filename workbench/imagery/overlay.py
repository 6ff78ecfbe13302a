"""Imagery layers as map overlays: each image warped onto the map's grid, as a PNG data URL.

Leaflet places an image overlay linearly in Web-Mercator (EPSG:3857) between its bounds, so
each layer is resampled onto a north-up EPSG:3857 grid (the inverse mapping, bilinear): an
orthophoto through its georeference, a registered image through its transform (projective
inverted exactly; a thin-plate spline through a projective fit of it on a 12 x 12 grid, for
display only). Outside the image the overlay is transparent, so a registered image shows its
warped footprint. Built off the GUI thread (a worker of the job runner).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis.imagery.georef import Georef, from_crs, to_crs
from analysis.imagery.georeference import transform_pixels
from analysis.imagery.register_fit import Gcp, fit_gcps
from analysis.matching.geometry import apply_h
from analysis.matching.io import read_image
from workbench.imagery.layers import ImageryLayer

MAX_SIDE_PX = 1400
MERCATOR = "EPSG:3857"


@dataclass(frozen=True)
class Overlay:
    id: str
    name: str
    kind: str
    url: str  # data:image/png;base64,...
    bounds: tuple[tuple[float, float], tuple[float, float]]  # (south, west), (north, east)
    corners: tuple[tuple[float, float], ...]  # the image's footprint (lat, lon), TL TR BR BL

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "url": self.url,
                "bounds": [list(self.bounds[0]), list(self.bounds[1])],
                "corners": [list(c) for c in self.corners]}  # fmt: skip


def _grid(corners: list[tuple[float, float]], max_side: int):
    lat = np.array([c[0] for c in corners])
    lon = np.array([c[1] for c in corners])
    mx, my = to_crs(MERCATOR, lat, lon)
    x0, x1, y0, y1 = mx.min(), mx.max(), my.min(), my.max()
    step = max(x1 - x0, y1 - y0) / max_side
    w, h = max(2, math.ceil((x1 - x0) / step)), max(2, math.ceil((y1 - y0) / step))
    gx = x0 + (np.arange(w) + 0.5) * (x1 - x0) / w
    gy = y1 - (np.arange(h) + 0.5) * (y1 - y0) / h
    glat, glon = from_crs(MERCATOR, *np.meshgrid(gx, gy))
    blat, blon = from_crs(MERCATOR, np.array([x0, x1]), np.array([y0, y1]))
    bounds = ((float(blat[0]), float(blon[0])), (float(blat[1]), float(blon[1])))
    return glat, glon, bounds


def _png_url(bgra: np.ndarray) -> str:
    ok, buf = cv2.imencode(".png", bgra)
    return "data:image/png;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def _inverse_projective(transform: dict, wh: tuple[int, int]):
    """(lat, lon) -> image pixel for a stored transform, exact for the projective kind."""
    if transform.get("kind") == "projective" and "crs" in transform:
        inv = np.linalg.inv(np.asarray(transform["matrix"], float))
        crs = transform["crs"]

        def to_px(lat, lon):
            x, y = to_crs(crs, lat.ravel(), lon.ravel())
            p = apply_h(inv, np.column_stack([x, y]))
            return p[:, 0].reshape(lat.shape), p[:, 1].reshape(lat.shape)

        return to_px
    xs, ys = np.meshgrid(np.linspace(0, wh[0] - 1, 12), np.linspace(0, wh[1] - 1, 12))
    lat, lon = transform_pixels(transform, xs.ravel(), ys.ravel())
    gcps = [Gcp(float(x), float(y), float(a), float(o))
            for x, y, a, o in zip(xs.ravel(), ys.ravel(), lat, lon, strict=True)]  # fmt: skip
    fit = fit_gcps(gcps, "projective")
    # invert the fit's matrix: image -> local plane -> (lat, lon)
    inv = np.linalg.inv(fit.params)
    from analysis.imagery.register_fit import local_crs

    crs = local_crs(*fit.origin)

    def to_px_fit(lat, lon):
        e, n = to_crs(crs, lat.ravel(), lon.ravel())
        p = apply_h(inv, np.column_stack([e, n]))
        return p[:, 0].reshape(lat.shape), p[:, 1].reshape(lat.shape)

    return to_px_fit


def _warp(image: np.ndarray, to_px, corners, max_side: int):
    glat, glon, bounds = _grid(corners, max_side)
    mx, my = to_px(glat, glon)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    bgra = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    out = cv2.remap(bgra, mx.astype(np.float32), my.astype(np.float32), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))  # fmt: skip
    return out, bounds


def layer_overlay(layer: ImageryLayer, image_path: Path, *, max_side: int = MAX_SIDE_PX) -> Overlay:
    """The overlay of one layer (its evidence file at ``image_path``)."""
    if layer.kind == "dem":
        from analysis.imagery.dem import Dem

        dem = Dem.open(image_path)
        h = dem.heights_m
        lo, hi = np.nanpercentile(h, [1, 99]) if np.isfinite(h).any() else (0, 1)
        image = np.clip(np.nan_to_num((h - lo) / max(hi - lo, 1e-9) * 255), 0, 255)
        image = image.astype(np.uint8)
        georef = dem.georef
    else:
        image = read_image(image_path)
        georef = None
    if layer.kind in ("ortho", "dem"):
        georef = georef or Georef.from_json(layer.georef)
        corners = georef.corners_latlon()
        out, bounds = _warp(image, georef.latlon_to_pixel, corners, max_side)
    else:
        g = layer.georef
        corners = [tuple(c) for c in g["corners"]]
        wh = (image.shape[1], image.shape[0])
        out, bounds = _warp(image, _inverse_projective(g["transform"], wh), corners, max_side)
    return Overlay(f"imagery:{layer.id}", layer.name, layer.kind, _png_url(out), bounds,
                   tuple(corners))  # fmt: skip


def case_overlays(case, *, max_side: int = MAX_SIDE_PX) -> list[Overlay]:
    """Every image layer of the case (orthophotos, DEMs, registered stills) as an overlay.

    A registered frame of a video is left out (its pixels are not a file of the case).
    """
    from workbench.imagery.layers import list_layers

    conn = case.read()
    out = []
    for layer in list_layers(conn):
        row = conn.execute("SELECT stored_name, kind FROM evidence WHERE id = ?",
                           (layer.evidence_id,)).fetchone()  # fmt: skip
        if row is None or row[1] != "image":
            continue
        out.append(layer_overlay(layer, case.evidence_dir / row[0], max_side=max_side))
    return out
