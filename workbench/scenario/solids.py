"""Drawing the world's prisms into a view: culling, near-plane clipping, shading, painter's order.

Faces facing the camera are shaded with Lambert's law for the sun direction plus an ambient
term that is larger for roofs (which see the whole sky) than for walls; each prism is hazed by
its distance. Prisms are sorted by the horizontal distance from the camera to their footprint's
bounding box and filled far to near (the painter's algorithm); this order is exact for
convex prisms standing on a common ground plane that do not interpenetrate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import cv2
import numpy as np

from workbench.scenario.camera import PinholeCamera
from workbench.scenario.town import Prism

NEAR_M = 0.3
SUN_TINT = np.array([1.0, 0.96, 0.88])
AMBIENT = {"top": 0.5, "side": 0.42, "bottom": 0.3}
DIFFUSE = 0.62


@dataclass(frozen=True)
class _Geometry:
    corners: np.ndarray  # (total, 3): per prism, bottom ring then top ring
    offsets: np.ndarray  # (P + 1,) start index of each prism's corners
    normals: list[np.ndarray]  # per prism, (n, 3) outward side normals
    bbox: np.ndarray  # (P, 4) east_min, north_min, east_max, north_max


_CACHE: WeakKeyDictionary[object, _Geometry] = WeakKeyDictionary()


def _geometry(key: object, prisms: tuple[Prism, ...]) -> _Geometry:
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    corners, offsets, normals, bbox = [], [0], [], []
    for p in prisms:
        fp = np.asarray(p.footprint_en_m, dtype=float)
        n = len(fp)
        corners.append(np.column_stack([fp, np.full(n, p.base_m)]))
        corners.append(np.column_stack([fp, np.full(n, p.top_m)]))
        offsets.append(offsets[-1] + 2 * n)
        edge = np.roll(fp, -1, axis=0) - fp
        length = np.hypot(edge[:, 0], edge[:, 1])[:, None] + 1e-12
        normals.append(np.column_stack([edge[:, 1], -edge[:, 0], np.zeros(n)]) / length)
        bbox.append([fp[:, 0].min(), fp[:, 1].min(), fp[:, 0].max(), fp[:, 1].max()])
    geo = _Geometry(np.vstack(corners), np.array(offsets), normals, np.array(bbox))
    _CACHE[key] = geo
    return geo


def clip_near(cam_pts: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman clip of a polygon (camera coordinates) to z >= NEAR_M."""
    out = []
    n = len(cam_pts)
    for i in range(n):
        a, b = cam_pts[i], cam_pts[(i + 1) % n]
        a_in, b_in = a[2] >= NEAR_M, b[2] >= NEAR_M
        if a_in:
            out.append(a)
        if a_in != b_in:
            k = (NEAR_M - a[2]) / (b[2] - a[2])
            out.append(a + k * (b - a))
    return np.array(out) if out else np.zeros((0, 3))


def _order(
    geo: _Geometry,
    cam_pos: np.ndarray,
    cam_pts: np.ndarray,
    camera: PinholeCamera,
    scale: tuple[float, float, float, float],
) -> list[int]:
    """Indices of prisms that may be visible, far to near."""
    de = np.maximum.reduce(
        [geo.bbox[:, 0] - cam_pos[0], np.zeros(len(geo.bbox)), cam_pos[0] - geo.bbox[:, 2]]
    )
    dn = np.maximum.reduce(
        [geo.bbox[:, 1] - cam_pos[1], np.zeros(len(geo.bbox)), cam_pos[1] - geo.bbox[:, 3]]
    )
    dist = np.hypot(de, dn)
    z = cam_pts[:, 2]
    zs = np.where(z > NEAR_M, z, np.nan)
    u = cam_pts[:, 0] / zs
    v = cam_pts[:, 1] / zs
    half_w = (camera.width_px / 2 + 2) / camera.focal_px
    half_h = (camera.height_px / 2 + 2) / camera.focal_px
    keep = []
    for i in np.argsort(-dist, kind="stable"):
        a, b = geo.offsets[i], geo.offsets[i + 1]
        zi = z[a:b]
        if np.all(zi < NEAR_M):
            continue
        if np.all(zi >= NEAR_M):
            ui, vi = u[a:b], v[a:b]
            if ui.max() < -half_w or ui.min() > half_w or vi.max() < -half_h or vi.min() > half_h:
                continue
        keep.append(int(i))
    return keep


def draw_prisms(
    canvas: np.ndarray,
    prisms: tuple[Prism, ...],
    key: object,
    camera: PinholeCamera,
    sun_dir: np.ndarray,
    haze_rgb: np.ndarray,
    haze_distance_m: float,
    sx: int,
    sy: int,
) -> None:
    """Fill every camera-facing face of the prisms on a canvas supersampled by (sx, sy).

    Args:
        canvas: (height*sy, width*sx, 3) image to draw on (float32 or uint8).
        prisms: The solids.
        key: An object owning ``prisms`` (the world) for caching their geometry.
        camera: The camera at the output resolution.
        sun_dir: Unit vector towards the sun (ENU).
        haze_rgb: Colour the haze tends to.
        haze_distance_m: Haze e-folding distance.
        sx: Horizontal supersampling factor.
        sy: Vertical supersampling factor.
    """
    geo = _geometry(key, prisms)
    cam_pos = np.asarray(camera.position_enu_m, dtype=float)
    cam_pts = camera.to_camera(geo.corners)
    f = camera.focal_px
    cx, cy = (camera.width_px - 1) / 2.0, (camera.height_px - 1) / 2.0
    ax, bx = f * sx, cx * sx + (sx - 1) / 2.0
    ay, by = f * sy, cy * sy + (sy - 1) / 2.0
    lit_sun = sun_dir[2] > 0
    for i in _order(geo, cam_pos, cam_pts, camera, (ax, bx, ay, by)):
        prism = prisms[i]
        a, b = geo.offsets[i], geo.offsets[i + 1]
        n = (b - a) // 2
        pts = cam_pts[a:b]
        corners = geo.corners[a:b]
        dist = float(np.linalg.norm(corners.mean(axis=0) - cam_pos))
        haze = 1.0 - math.exp(-dist / haze_distance_m)
        normals = geo.normals[i]
        facing = ((cam_pos[:2] - corners[:n, :2]) * normals[:, :2]).sum(axis=1) > 0.0
        faces: list[tuple[list[int], str, float]] = []
        for k in np.nonzero(facing)[0]:
            k1 = (k + 1) % n
            lam = max(0.0, float(normals[k] @ sun_dir)) if lit_sun else 0.0
            faces.append(([k, k1, n + k1, n + k], "side", lam))
        if cam_pos[2] > prism.top_m:
            faces.append((list(range(n, 2 * n)), "top", max(0.0, float(sun_dir[2]))))
        elif cam_pos[2] < prism.base_m:
            faces.append((list(range(n)), "bottom", 0.0))
        all_front = bool(np.all(pts[:, 2] >= NEAR_M))
        for idx, kind, lam in faces:
            poly = pts[idx] if all_front else clip_near(pts[idx])
            if len(poly) < 3:
                continue
            uu = poly[:, 0] / poly[:, 2] * ax + bx
            vv = poly[:, 1] / poly[:, 2] * ay + by
            albedo = np.asarray(prism.roof_rgb if kind == "top" else prism.wall_rgb, float)
            lit = albedo * (AMBIENT[kind] + DIFFUSE * lam * SUN_TINT)
            rgb = lit * (1.0 - haze) + haze_rgb * haze
            colour = (float(rgb[0]), float(rgb[1]), float(rgb[2]))
            fixed = np.round(np.column_stack([uu, vv]) * 8).astype(np.int32)
            cv2.fillPoly(canvas, [fixed], colour, cv2.LINE_8, shift=3)
