"""Drawing the world's prisms into a view: culling, near-plane clipping, shading, painter's order.

Faces facing the camera are shaded with Lambert's law for the sun direction plus an ambient
term that is larger for roofs (which see the whole sky) than for walls; each prism is hazed by
its distance. Prisms are sorted by the horizontal distance from the camera to their footprint's
bounding box and filled far to near (the painter's algorithm); this order is exact for
convex prisms standing on a common ground plane that do not interpenetrate. Prisms standing
on a roof (tanks, parapets) are drawn next to their host rather than by their own distance.
Geometry and shading are computed for all faces at once with numpy; only the polygon fills
loop.
"""

from __future__ import annotations

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
    corners: np.ndarray  # (C, 3): per prism, bottom ring then top ring
    offsets: np.ndarray  # (P + 1,) first corner of each prism
    side_quads: np.ndarray  # (S, 4) corner indices of each side face
    side_prism: np.ndarray  # (S,) prism of each side face
    side_normals: np.ndarray  # (S, 3) outward normals
    side_offsets: np.ndarray  # (P + 1,) first side of each prism
    bbox: np.ndarray  # (P, 4) east_min, north_min, east_max, north_max
    centroids: np.ndarray  # (P, 3)
    wall_rgb: np.ndarray  # (P, 3)
    roof_rgb: np.ndarray  # (P, 3)
    base_top: np.ndarray  # (P, 2)
    host: np.ndarray  # (P,) index of the prism each one stands on (itself if none)


_CACHE: WeakKeyDictionary[object, _Geometry] = WeakKeyDictionary()


def _geometry(key: object, prisms: tuple[Prism, ...]) -> _Geometry:
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    corners, offsets, quads, side_prism, normals, side_offsets = [], [0], [], [], [], [0]
    for i, p in enumerate(prisms):
        fp = np.asarray(p.footprint_en_m, dtype=float)
        n = len(fp)
        a = offsets[-1]
        corners.append(np.column_stack([fp, np.full(n, p.base_m)]))
        corners.append(np.column_stack([fp, np.full(n, p.top_m)]))
        offsets.append(a + 2 * n)
        k = np.arange(n)
        k1 = (k + 1) % n
        quads.append(np.column_stack([a + k, a + k1, a + n + k1, a + n + k]))
        side_prism.append(np.full(n, i))
        edge = fp[k1] - fp
        length = np.hypot(edge[:, 0], edge[:, 1])[:, None] + 1e-12
        normals.append(np.column_stack([edge[:, 1], -edge[:, 0], np.zeros(n)]) / length)
        side_offsets.append(side_offsets[-1] + n)
    all_corners = np.vstack(corners)
    off = np.array(offsets)
    lo = np.minimum.reduceat(all_corners, off[:-1], axis=0)
    hi = np.maximum.reduceat(all_corners, off[:-1], axis=0)
    geo = _Geometry(
        corners=all_corners,
        offsets=off,
        side_quads=np.vstack(quads),
        side_prism=np.concatenate(side_prism),
        side_normals=np.vstack(normals),
        side_offsets=np.array(side_offsets),
        bbox=np.column_stack([lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]]),
        centroids=(lo + hi) / 2.0,
        wall_rgb=np.array([p.wall_rgb for p in prisms], float),
        roof_rgb=np.array([p.roof_rgb for p in prisms], float),
        base_top=np.array([[p.base_m, p.top_m] for p in prisms], float),
        host=_hosts(prisms),
    )
    _CACHE[key] = geo
    return geo


def _hosts(prisms: tuple[Prism, ...]) -> np.ndarray:
    index = {p.name: i for i, p in enumerate(prisms)}
    return np.array([index.get(p.on_top_of, i) if p.on_top_of else i for i, p in enumerate(prisms)])


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
    geo: _Geometry, cam_pos: np.ndarray, cam_pts: np.ndarray, camera: PinholeCamera
) -> tuple[np.ndarray, np.ndarray]:
    """Prisms that may be visible, far to near, and whether each lies wholly in front."""
    zero = np.zeros(len(geo.bbox))
    de = np.maximum.reduce([geo.bbox[:, 0] - cam_pos[0], zero, cam_pos[0] - geo.bbox[:, 2]])
    dn = np.maximum.reduce([geo.bbox[:, 1] - cam_pos[1], zero, cam_pos[1] - geo.bbox[:, 3]])
    dist = np.hypot(de, dn)
    z = cam_pts[:, 2]
    front = z >= NEAR_M
    zs = np.where(front, z, 1.0)
    u, v = cam_pts[:, 0] / zs, cam_pts[:, 1] / zs
    starts = geo.offsets[:-1]
    any_front = np.logical_or.reduceat(front, starts)
    all_front = np.logical_and.reduceat(front, starts)
    half_w = (camera.width_px / 2 + 2) / camera.focal_px
    half_h = (camera.height_px / 2 + 2) / camera.focal_px
    outside = (
        (np.maximum.reduceat(u, starts) < -half_w)
        | (np.minimum.reduceat(u, starts) > half_w)
        | (np.maximum.reduceat(v, starts) < -half_h)
        | (np.minimum.reduceat(v, starts) > half_h)
    )
    keep = any_front & ~(all_front & outside)
    idx = np.nonzero(keep)[0]
    # A prism standing on another is drawn right after its host when the camera looks down on
    # the host's roof, right before it otherwise (then the host's walls may hide its foot).
    host = geo.host[idx]
    attached = host != idx
    above = cam_pos[2] > geo.base_top[host, 1]
    secondary = np.where(attached, np.where(above, 1, -1), 0)
    order = idx[np.lexsort((secondary, -dist[host]))]
    return order, all_front


def _shade(
    albedo: np.ndarray, ambient: float, lam: np.ndarray, haze: np.ndarray, haze_rgb: np.ndarray
) -> np.ndarray:
    lit = albedo * (ambient + DIFFUSE * lam[:, None] * SUN_TINT[None, :])
    return lit * (1.0 - haze[:, None]) + haze_rgb[None, :] * haze[:, None]


def _face_colours(
    geo: _Geometry,
    cam_pos: np.ndarray,
    sun_dir: np.ndarray,
    prism_dist: np.ndarray,
    haze_rgb: np.ndarray,
    haze_distance_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which sides face the camera, and the shaded, hazed colour of every side, top, bottom."""
    haze = 1.0 - np.exp(-prism_dist / haze_distance_m)
    if sun_dir[2] > 0:
        side_lam = np.clip(geo.side_normals @ sun_dir, 0.0, None)
    else:
        side_lam = np.zeros(len(geo.side_normals))
    start = geo.corners[geo.side_quads[:, 0], :2]
    facing = ((cam_pos[:2] - start) * geo.side_normals[:, :2]).sum(axis=1) > 0.0
    n = len(prism_dist)
    side = _shade(
        geo.wall_rgb[geo.side_prism], AMBIENT["side"], side_lam, haze[geo.side_prism], haze_rgb
    )
    top = _shade(
        geo.roof_rgb, AMBIENT["top"], np.full(n, max(0.0, float(sun_dir[2]))), haze, haze_rgb
    )
    bottom = _shade(geo.wall_rgb, AMBIENT["bottom"], np.zeros(n), haze, haze_rgb)
    return facing, side, top, bottom


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
    distance: np.ndarray | None = None,
) -> None:
    """Fill every camera-facing face of the prisms on a canvas supersampled by (sx, sy).

    Args:
        canvas: (height*sy, width*sx, 3) image to draw on.
        prisms: The solids.
        key: An object owning ``prisms`` (the world), for caching their geometry.
        camera: The camera at the output resolution.
        sun_dir: Unit vector towards the sun (ENU).
        haze_rgb: Colour the haze tends to.
        haze_distance_m: Haze e-folding distance.
        sx: Horizontal supersampling factor.
        sy: Vertical supersampling factor.
        distance: Optional float32 canvas of the same size that receives, for every face
            drawn, the distance from the camera to its prism's centre.
    """
    geo = _geometry(key, prisms)
    cam_pos = np.asarray(camera.position_enu_m, dtype=float)
    cam_pts = camera.to_camera(geo.corners)
    f = camera.focal_px
    ax, bx = f * sx, (camera.width_px - 1) / 2.0 * sx + (sx - 1) / 2.0
    ay, by = f * sy, (camera.height_px - 1) / 2.0 * sy + (sy - 1) / 2.0
    zs = np.where(cam_pts[:, 2] >= NEAR_M, cam_pts[:, 2], 1.0)
    fixed = np.round(
        np.column_stack([cam_pts[:, 0] / zs * ax + bx, cam_pts[:, 1] / zs * ay + by]) * 8
    ).astype(np.int32)
    prism_dist = np.linalg.norm(geo.centroids - cam_pos, axis=1)
    colours = _face_colours(geo, cam_pos, sun_dir, prism_dist, haze_rgb, haze_distance_m)
    facing, side_rgb, top_rgb, bottom_rgb = colours
    order, all_front = _order(geo, cam_pos, cam_pts, camera)
    scale = (ax, bx, ay, by)
    for i in order:
        a, b = geo.offsets[i], geo.offsets[i + 1]
        n = (b - a) // 2
        faces = [
            (geo.side_quads[s], side_rgb[s])
            for s in range(geo.side_offsets[i], geo.side_offsets[i + 1])
            if facing[s]
        ]
        if cam_pos[2] > geo.base_top[i, 1]:
            faces.append((np.arange(a + n, b), top_rgb[i]))
        elif cam_pos[2] < geo.base_top[i, 0]:
            faces.append((np.arange(a, a + n), bottom_rgb[i]))
        for idx, rgb in faces:
            colour = (float(rgb[0]), float(rgb[1]), float(rgb[2]))
            if all_front[i]:
                poly = fixed[idx]
            else:
                poly = _clipped_polygon(cam_pts[idx], scale)
                if poly is None:
                    continue
            cv2.fillPoly(canvas, [poly], colour, cv2.LINE_8, shift=3)
            if distance is not None:
                cv2.fillPoly(distance, [poly], float(prism_dist[i]), cv2.LINE_8, shift=3)


def _clipped_polygon(
    pts: np.ndarray, scale: tuple[float, float, float, float]
) -> np.ndarray | None:
    poly = clip_near(pts)
    if len(poly) < 3:
        return None
    ax, bx, ay, by = scale
    uv = np.column_stack([poly[:, 0] / poly[:, 2] * ax + bx, poly[:, 1] / poly[:, 2] * ay + by])
    return np.round(uv * 8).astype(np.int32)
