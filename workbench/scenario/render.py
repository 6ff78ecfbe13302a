"""A small, honest renderer: ground by homography, prisms by the painter's algorithm.

- Ground: the orthophoto (with this moment's shadows drawn into it) is mapped into the image
  by the plane-induced homography ``K [r1 r2 t] A`` (A: orthophoto pixel -> east, north) with
  ``cv2.warpPerspective``; only pixels whose viewing ray points below the horizon are ground.
  Grazing views are supersampled (6x vertically) and reduced with area averaging, which
  stands in for the anisotropic filtering a GPU would do.
- Solids: extruded convex prisms; faces facing the camera are clipped at a near plane,
  projected, shaded with Lambert's law for the sun direction plus an ambient term, and
  filled back to front (prisms sorted by distance, the painter's algorithm).
- Shadows: each prism's vertices are projected along the sun direction onto the ground plane;
  the convex hull of the projections (with the footprint) darkens the ground. Shadows cast on
  other buildings' walls and roofs are not drawn (a stated simplification).
- Sky: a vertical gradient by ray elevation with a glow around the sun and a faint line of
  hills about 20 km away on the horizon; haze blends every surface towards the horizon
  colour with ``1 - exp(-distance / HAZE_DISTANCE_M)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.scenario.camera import PinholeCamera
from workbench.scenario.solids import draw_prisms
from workbench.scenario.sun import SunPosition
from workbench.scenario.town import Prism
from workbench.scenario.world import World

HAZE_DISTANCE_M = 7000.0
HAZE_RGB = np.array([206.0, 212.0, 218.0])
ZENITH_RGB = np.array([92.0, 136.0, 196.0])
SHADOW_GAIN = 0.55
BORDER_RGB = (170, 150, 118)
PRISM_SUPERSAMPLING = 3
FAR_HILLS_DISTANCE_M = 20000.0
HILLS_RGB = np.array([176.0, 182.0, 192.0])  # hills 20 km off, almost lost in the haze


def shadow_polygon_en(prism: Prism, sun_dir: np.ndarray) -> np.ndarray:
    """Shadow of a prism on the ground plane, (K, 2) east/north metres (convex hull)."""
    fp = np.asarray(prism.footprint_en_m, dtype=float)
    pts = []
    for z in (prism.base_m, prism.top_m):
        shift = z / sun_dir[2]
        pts.append(fp - shift * sun_dir[None, :2])
    hull = cv2.convexHull(np.vstack(pts).astype(np.float32))
    return hull.reshape(-1, 2).astype(float)


def ground_with_shadows(world: World, sun: SunPosition) -> np.ndarray:
    """The orthophoto ground with the shadows of every prism for this sun position."""
    if sun.elevation_deg <= 1.0:
        return (world.ground_rgb.astype(np.float32) * SHADOW_GAIN).astype(np.uint8)
    sun_dir = sun.direction_enu()
    mask = np.zeros(world.ground_rgb.shape[:2], np.uint8)
    sizes = [len(p.footprint_en_m) for p in world.prisms]
    fp = np.vstack([np.asarray(p.footprint_en_m, dtype=float) for p in world.prisms])
    base = np.repeat([p.base_m for p in world.prisms], sizes)
    top = np.repeat([p.top_m for p in world.prisms], sizes)
    drop = sun_dir[None, :2] / sun_dir[2]
    ends = np.cumsum(sizes)

    # Each prism's shadow: hull of its footprint rings projected along the sun onto up = 0.
    def to_fixed(en: np.ndarray) -> np.ndarray:
        cols = (en[:, 0] - world.east_min_m) / world.gsd_m
        rows = (world.north_max_m - en[:, 1]) / world.gsd_m
        return np.round(np.column_stack([cols, rows]) * 8).astype(np.int32)

    lows = to_fixed(fp - base[:, None] * drop)
    highs = to_fixed(fp - top[:, None] * drop)
    starts = np.concatenate([[0], ends[:-1]])
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        hull = cv2.convexHull(np.concatenate([lows[a:b], highs[a:b]]))
        cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_AA, shift=3)
    gain = 255 - ((255 - int(SHADOW_GAIN * 255)) * mask.astype(np.uint16) // 255)
    gain8 = gain.astype(np.uint8)
    return cv2.multiply(world.ground_rgb, cv2.merge([gain8] * 3), scale=1.0 / 255.0)


def render_orthophoto(world: World, sun: SunPosition) -> np.ndarray:
    """The "satellite" orthophoto: ground, shadows at the satellite's time and roofs."""
    img = ground_with_shadows(world, sun)
    for prism in sorted(world.prisms, key=lambda p: p.top_m):
        fp = np.asarray(prism.footprint_en_m)
        cols = (fp[:, 0] - world.east_min_m) / world.gsd_m
        rows = (world.north_max_m - fp[:, 1]) / world.gsd_m
        pts = np.round(np.column_stack([cols, rows]) * 8).astype(np.int32)
        colour = tuple(int(c) for c in np.clip(np.array(prism.roof_rgb) * 1.05, 0, 255))
        cv2.fillPoly(img, [pts], colour, cv2.LINE_AA, shift=3)
    return img


def _ground_supersampling(camera: PinholeCamera) -> tuple[int, int]:
    return (2, 2) if camera.pitch_deg < -40.0 else (2, 6)


def _sky_and_ground(
    world: World, camera: PinholeCamera, ground: np.ndarray, sun: SunPosition
) -> tuple[np.ndarray, np.ndarray]:
    """Sky gradient and hazed ground at the output resolution (float32 RGB) and distances.

    The ground is warped on a supersampled grid and area-averaged together with its coverage
    (the fraction of each output pixel below the horizon), so the horizon is antialiased.
    """
    sx, sy = _ground_supersampling(camera)
    w, h = camera.width_px * sx, camera.height_px * sy
    s = np.array([[sx, 0.0, (sx - 1) / 2.0], [0.0, sy, (sy - 1) / 2.0], [0.0, 0.0, 1.0]])
    hom = s @ camera.ground_homography() @ world.pixel_to_enu_matrix()
    warped = cv2.warpPerspective(
        ground,
        hom,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=BORDER_RGB,
    )
    # The up component of a viewing ray is linear in pixel coordinates: d = R^T K^-1 (x, y, 1).
    rt = camera.R.T
    f = camera.focal_px
    xs = ((np.arange(w) + 0.5) / sx - 0.5 - (camera.width_px - 1) / 2.0) / f
    ys = ((np.arange(h) + 0.5) / sy - 0.5 - (camera.height_px - 1) / 2.0) / f
    up = (xs[None, :] * rt[2, 0]).astype(np.float32) + (ys[:, None] * rt[2, 1] + rt[2, 2]).astype(
        np.float32
    )
    mask = np.where(up < -1e-7, np.uint8(255), np.uint8(0))
    warped = cv2.bitwise_and(warped, cv2.merge([mask] * 3))
    size = (camera.width_px, camera.height_px)
    summed = cv2.resize(warped, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    cover = cv2.resize(mask, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    ground_avg = summed / np.maximum(cover, 1.0 / 255.0)[..., None]
    rays = camera.pixel_rays_enu(np.arange(size[0])[None, :], np.arange(size[1])[:, None])
    norm = np.linalg.norm(rays, axis=-1)
    cam_up = float(camera.position_enu_m[2])
    dz = np.minimum(rays[..., 2], -cam_up * norm / 50000.0)  # horizon pixels: 50 km away
    dist = cam_up * norm / -dz
    haze = (1.0 - np.exp(-dist / HAZE_DISTANCE_M)).astype(np.float32)[..., None]
    ground_f = ground_avg * (1.0 - haze) + HAZE_RGB.astype(np.float32) * haze
    c = cover[..., None]
    sky, hills = _sky(camera, sun)
    colour = ground_f * c + sky * (1.0 - c)
    far = np.where(hills >= 0.5, FAR_HILLS_DISTANCE_M, np.inf)
    return colour, np.where(cover >= 0.5, dist, far).astype(np.float32)


def far_hills_elevation_deg(azimuth_deg: np.ndarray) -> np.ndarray:
    """Elevation of the distant hills' skyline (about 20 km away) by azimuth, 0.05-0.4 deg."""
    a = np.radians(azimuth_deg)
    return (
        0.2
        + 0.09 * np.sin(3 * a + 1.0)
        + 0.05 * np.sin(7 * a + 2.0)
        + 0.025 * np.sin(17 * a + 0.5)
        + 0.03 * np.sin(53 * a + 2.5)
        + 0.015 * np.sin(131 * a + 1.2)
    )


def _sky(camera: PinholeCamera, sun: SunPosition) -> tuple[np.ndarray, np.ndarray]:
    """Sky colour at the output resolution (horizon haze to zenith blue, glow near the sun,
    faint hills on the horizon) and the hills' coverage of each pixel."""
    xs = np.arange(camera.width_px, dtype=np.float64)
    ys = np.arange(camera.height_px, dtype=np.float64)
    rays = camera.pixel_rays_enu(xs[None, :], ys[:, None])
    rays /= np.linalg.norm(rays, axis=-1, keepdims=True)
    elev = np.arcsin(np.clip(rays[..., 2], -1.0, 1.0))
    k = np.clip(elev / math.radians(45.0), 0.0, 1.0) ** 0.55
    sky = HAZE_RGB[None, None, :] * (1.0 - k[..., None]) + ZENITH_RGB[None, None, :] * k[..., None]
    cos_sun = np.clip(rays @ sun.direction_enu(), -1.0, 1.0)
    glow = np.exp(-np.arccos(cos_sun) / math.radians(12.0)) * 45.0
    sky = sky + glow[..., None] * np.array([1.0, 0.95, 0.8])
    azimuth = np.degrees(np.arctan2(rays[..., 0], rays[..., 1]))
    ridge = np.radians(far_hills_elevation_deg(azimuth))
    hills = np.clip((ridge - elev) * camera.focal_px + 0.5, 0.0, 1.0) * (elev > -0.01)
    hills = hills[..., None]
    return (sky * (1.0 - hills) + HILLS_RGB * hills).astype(np.float32), hills[..., 0]


@dataclass(frozen=True)
class RenderedView:
    """A rendered view and, per pixel, the distance to the surface seen (inf for sky).

    The distance of a prism face is that of its prism's centre: exact enough to let far
    effects (smoke, the flash) pass behind nearer buildings.
    """

    image: np.ndarray
    distance_m: np.ndarray


def render_view_with_distance(
    world: World, camera: PinholeCamera, sun: SunPosition, ground: np.ndarray | None = None
) -> RenderedView:
    """Render one still view of the world with its per-pixel distance map.

    Args:
        world: The world.
        camera: The camera (its ENU position must be above the ground plane).
        sun: Sun position for shading and shadows.
        ground: The shadowed ground from ``ground_with_shadows`` (computed if None).

    Returns:
        The (height, width, 3) uint8 RGB image and a (height, width) float32 distance map.
    """
    if ground is None:
        ground = ground_with_shadows(world, sun)
    if camera.pitch_deg > -40.0:  # grazing view: low-pass the texture against aliasing
        ground = cv2.GaussianBlur(ground, (0, 0), 0.8)
    back, dist = _sky_and_ground(world, camera, ground, sun)
    back8 = np.clip(back + 0.5, 0, 255).astype(np.uint8)
    ss = PRISM_SUPERSAMPLING
    canvas = cv2.resize(back8, None, fx=ss, fy=ss, interpolation=cv2.INTER_NEAREST)
    depth = cv2.resize(dist, None, fx=ss, fy=ss, interpolation=cv2.INTER_NEAREST)
    draw_prisms(
        canvas,
        world.prisms,
        world,
        camera,
        sun.direction_enu(),
        HAZE_RGB,
        HAZE_DISTANCE_M,
        ss,
        ss,
        distance=depth,
    )
    size = (camera.width_px, camera.height_px)
    image = cv2.resize(canvas, size, interpolation=cv2.INTER_AREA)
    nearest = depth.reshape(size[1], ss, size[0], ss).min(axis=(1, 3))
    return RenderedView(image, nearest)


def render_view(
    world: World, camera: PinholeCamera, sun: SunPosition, ground: np.ndarray | None = None
) -> np.ndarray:
    """Render one still view of the world; (height, width, 3) uint8 RGB.

    See ``render_view_with_distance`` for the arguments.
    """
    return render_view_with_distance(world, camera, sun, ground).image
