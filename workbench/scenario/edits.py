"""Edited videos between cameras at one place and time: the truth for cut detection.

The worked example's strike video has "more than 10 different shots": the same scene from
another angle in the same light, and the same place at another zoom. A cut between two such
shots changes the picture's structure but hardly its colours, which is what makes it hard to
find. This module splices shots of cameras placed in one ``World`` under one sun. Each shot is
one camera, held still or moving about its centre (a slow pan, a zoom, a whip-pan), and may
show the strike's flash and plume. A cut is where one shot ends and the next begins, so the
cut frames are exact by construction.

Moving shots: two views from the same centre are related by the homography
``K2 R2 R1^T K1^-1`` (Hartley & Zisserman, Multiple View Geometry, 2nd ed., sec. 8.4.2), so a
moving shot is rendered once through a wider "master" camera at that centre and each frame is
warped from it (exact up to resampling; a zoom past the master's resolution is a digital
zoom). Motion blur is the mean of sub-frame warps over half the frame interval (a 180-degree
shutter). Every frame gets sensor noise as in ``video.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from analysis.jobs import CancelToken, check
from workbench.scenario import events, render
from workbench.scenario.camera import PinholeCamera
from workbench.scenario.scene import ScenarioConfig, rooftop_cameras, second_camera
from workbench.scenario.sun import SunPosition
from workbench.scenario.truth import camera_truth
from workbench.scenario.video import NOISE_BANK, NOISE_SIGMA
from workbench.scenario.world import World

BLUR_SUBSTEPS = 5
MASTER_MARGIN = 1.04  # the master view is this much wider than the union of the frames' views
MASTER_MAX_TAN = 3.0  # half-angle of at most about 72 degrees (wider: too many pixels)


@dataclass(frozen=True)
class Shot:
    """One shot of an edit.

    Attributes:
        name: What the shot shows.
        camera: The camera at the shot's first frame.
        frames: Number of frames.
        end_camera: The camera at the end of the move, at the same centre (a pan, tilt or
            zoom); None for a still camera.
        move_frames: (first, last) frame within the shot over which the camera moves at a
            steady rate; before it the camera is ``camera``, after it ``end_camera``. None:
            the whole shot.
        flash_at: Frame within the shot where the strike's flash begins (None: no flash);
            the plume grows from then on.
    """

    name: str
    camera: PinholeCamera
    frames: int
    end_camera: PinholeCamera | None = None
    move_frames: tuple[int, int] | None = None
    flash_at: int | None = None

    def __post_init__(self) -> None:
        if self.frames < 1:
            raise ValueError(f"shot {self.name!r} needs at least one frame")
        end = self.end_camera
        if end is not None and end.position_enu_m != self.camera.position_enu_m:
            raise ValueError(f"shot {self.name!r}: a moving camera must keep its centre")
        if end is not None and (end.width_px, end.height_px) != (
            self.camera.width_px,
            self.camera.height_px,
        ):
            raise ValueError(f"shot {self.name!r}: the frame size cannot change within a shot")

    def camera_at(self, t: float) -> PinholeCamera:
        """The camera at (fractional) frame ``t`` within the shot."""
        if self.end_camera is None:
            return self.camera
        first, last = self.move_frames or (0, self.frames - 1)
        u = 1.0 if last <= first else min(1.0, max(0.0, (t - first) / (last - first)))
        a, b = self.camera, self.end_camera
        tan_a, tan_b = (math.tan(math.radians(c.hfov_deg) / 2) for c in (a, b))
        # a steady zoom changes the focal length by the same factor every frame
        hfov = 2 * math.degrees(math.atan(tan_a * (tan_b / tan_a) ** u))
        return a.with_changes(
            yaw_deg=a.yaw_deg + u * (b.yaw_deg - a.yaw_deg),
            pitch_deg=a.pitch_deg + u * (b.pitch_deg - a.pitch_deg),
            roll_deg=a.roll_deg + u * (b.roll_deg - a.roll_deg),
            hfov_deg=hfov,
        )

    def moving_at(self, i: int) -> bool:
        """True if the camera moves during frame ``i`` (its exposure is blurred)."""
        if self.end_camera is None:
            return False
        first, last = self.move_frames or (0, self.frames - 1)
        return first <= i <= last


@dataclass(frozen=True)
class EditedVideo:
    """The frames of an edit and its truth.

    Attributes:
        frames: RGB uint8 frames, in order.
        cut_frames: First frame of every shot but the first (0-based).
        shots: Per shot: name, first and last frame, cameras at both ends (truth dicts),
            moving frames and flash frames (indices into the whole video).
    """

    frames: list[np.ndarray] = field(repr=False)
    cut_frames: tuple[int, ...]
    shots: tuple[dict[str, Any], ...]


def _master_camera(shot: Shot) -> PinholeCamera:
    """A camera at the shot's centre that sees every frame's view, at the finest focal length."""
    cams = [shot.camera_at(t) for t in np.linspace(0, shot.frames - 1, 9)]
    mid = cams[len(cams) // 2]
    probe = PinholeCamera(mid.position_enu_m, mid.yaw_deg, mid.pitch_deg, 0.0, 90.0, 2, 2)
    tan_x = tan_y = 0.0
    for cam in cams:
        w, h = cam.width_px - 1, cam.height_px - 1
        rays = cam.pixel_rays_enu(np.array([0.0, w, 0.0, w]), np.array([0.0, 0.0, h, h]))
        local = rays @ probe.R.T
        tan_x = max(tan_x, float(np.max(np.abs(local[:, 0] / local[:, 2]))))
        tan_y = max(tan_y, float(np.max(np.abs(local[:, 1] / local[:, 2]))))
    if max(tan_x, tan_y) > MASTER_MAX_TAN:
        raise ValueError(f"shot {shot.name!r} turns too far for one master view: split it")
    focal = max(c.focal_px for c in cams)
    width = 2 * math.ceil(focal * tan_x * MASTER_MARGIN)
    height = 2 * math.ceil(focal * tan_y * MASTER_MARGIN)
    hfov = 2 * math.degrees(math.atan(width / 2 / focal))
    return PinholeCamera(mid.position_enu_m, mid.yaw_deg, mid.pitch_deg, 0.0, hfov, width, height)


def view_homography(src: PinholeCamera, dst: PinholeCamera) -> np.ndarray:
    """The homography from ``src`` pixels to ``dst`` pixels for two cameras at one centre."""
    return dst.K @ dst.R @ src.R.T @ np.linalg.inv(src.K)


def _warp(
    view: render.RenderedView, master: PinholeCamera, cam: PinholeCamera
) -> tuple[np.ndarray, np.ndarray]:
    h = view_homography(master, cam)
    size = (cam.width_px, cam.height_px)
    img = cv2.warpPerspective(view.image, h, size, flags=cv2.INTER_LINEAR)
    dist = cv2.warpPerspective(view.distance_m, h, size, flags=cv2.INTER_NEAREST)
    return img, dist


def _shot_frames(
    world: World,
    shot: Shot,
    sun: SunPosition,
    ground: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray, PinholeCamera]]:
    """(image, distance, camera) of every frame of a shot, before events and noise."""
    if shot.end_camera is None:
        view = render.render_view_with_distance(world, shot.camera, sun, ground)
        return [(view.image, view.distance_m, shot.camera)] * shot.frames
    master = _master_camera(shot)
    view = render.render_view_with_distance(world, master, sun, ground)
    out = []
    for i in range(shot.frames):
        cam = shot.camera_at(i)
        img, dist = _warp(view, master, cam)
        if shot.moving_at(i):
            offsets = np.linspace(-0.25, 0.25, BLUR_SUBSTEPS)
            stack = [_warp(view, master, shot.camera_at(i + d))[0] for d in offsets]
            img = np.mean(np.stack(stack).astype(np.float32), axis=0).round().astype(np.uint8)
        out.append((img, dist, cam))
    return out


def render_edit(
    world: World,
    shots: list[Shot],
    sun: SunPosition,
    *,
    fps: float,
    strike_enu: tuple[float, float, float],
    rng: np.random.Generator,
    cancel: CancelToken | None = None,
) -> EditedVideo:
    """Render an edit: the shots one after the other, each cut exactly at a shot's start.

    Args:
        world: The world.
        shots: The shots, in order (all frames the same size).
        sun: The one sun of every shot (the same light).
        fps: Frame rate (for the plume's growth after a flash).
        strike_enu: Where the flash and the plume are.
        rng: Random source of the sensor noise.
        cancel: Checked between shots.

    Returns:
        The frames and their truth.

    Raises:
        ValueError: If the shots differ in frame size.
        JobCancelled: If ``cancel`` was cancelled.
    """
    sizes = {(s.camera.width_px, s.camera.height_px) for s in shots}
    if len(sizes) != 1:
        raise ValueError(f"every shot of an edit must have one frame size, got {sorted(sizes)}")
    ground = render.ground_with_shadows(world, sun)
    w, h = sizes.pop()
    noise = [
        np.clip(rng.normal(0.0, NOISE_SIGMA, (h, w, 3)), -8, 8).astype(np.int16)
        for _ in range(NOISE_BANK)
    ]
    frames: list[np.ndarray] = []
    truth: list[dict[str, Any]] = []
    for shot in shots:
        check(cancel)
        first = len(frames)
        for i, (img, dist, cam) in enumerate(_shot_frames(world, shot, sun, ground)):
            frame = img.copy()
            _draw_events(frame, cam, dist, shot, i, fps, strike_enu)
            frames.append(cv2.add(frame, noise[len(frames) % NOISE_BANK], dtype=cv2.CV_8U))
        truth.append(_shot_truth(world, shot, first))
    cuts = tuple(t["first_frame"] for t in truth[1:])
    return EditedVideo(frames, cuts, tuple(truth))


def _draw_events(
    frame: np.ndarray,
    cam: PinholeCamera,
    dist: np.ndarray,
    shot: Shot,
    i: int,
    fps: float,
    strike_enu: tuple[float, float, float],
) -> None:
    if shot.flash_at is None or i < shot.flash_at:
        return
    k = i - shot.flash_at
    events.draw_plume(frame, cam, strike_enu[:2], k / fps, dist)
    if k < len(events.FLASH_GAINS):
        events.apply_flash(frame, cam, np.asarray(strike_enu), events.FLASH_GAINS[k], dist)


def _shot_truth(world: World, shot: Shot, first: int) -> dict[str, Any]:
    moving = [first + i for i in range(shot.frames) if shot.moving_at(i)]
    flash = []
    if shot.flash_at is not None:
        k = min(len(events.FLASH_GAINS), shot.frames - shot.flash_at)
        flash = [first + shot.flash_at + j for j in range(max(0, k))]
    return {
        "name": shot.name,
        "first_frame": first,
        "last_frame": first + shot.frames - 1,
        "camera_first": camera_truth(world, shot.camera_at(0)),
        "camera_last": camera_truth(world, shot.camera_at(shot.frames - 1)),
        "moving_frames": moving,
        "flash_frames": flash,
    }


def same_light_shots(world: World, size: tuple[int, int]) -> list[Shot]:
    """Seven shots at one moment, cut as the worked example's video was cut.

    Four cameras: the rooftop's (wide, and zoomed 3x on the strike as in the scenario's
    rooftop video), the same rooftop 8 m further north turned 10 degrees left (the same scene
    from another angle), and the second camera 1 km south-west. Inside the shots: a slow pan,
    the flash and plume, a zoom-in and a whip-pan, none of which is a cut.
    """
    cfg = ScenarioConfig(rooftop_size=size, second_size=size)
    wide, zoomed = rooftop_cameras(world, cfg)
    second = second_camera(world, cfg)
    e, n, u = wide.position_enu_m
    corner = wide.with_changes(position_enu_m=(e, n + 8.0, u), yaw_deg=wide.yaw_deg - 10.0)
    return [
        Shot("rooftop, wide", wide, 16),
        Shot(
            "rooftop 8 m north, turned 10 deg left; a slow pan right",
            corner,
            16,
            end_camera=corner.with_changes(yaw_deg=corner.yaw_deg + 2.4),
        ),
        Shot("rooftop, zoomed 3x on the strike; the flash", zoomed, 16, flash_at=5),
        Shot(
            "second camera; zooming in from 50 to 35 deg",
            second,
            16,
            end_camera=second.with_changes(hfov_deg=35.0),
            move_frames=(3, 13),
        ),
        Shot(
            "rooftop, wide; a whip-pan 35 deg right",
            wide,
            20,
            end_camera=wide.with_changes(yaw_deg=wide.yaw_deg + 35.0),
            move_frames=(6, 11),
        ),
        Shot("rooftop, turned 12 deg left", wide.with_changes(yaw_deg=wide.yaw_deg - 12.0), 14),
        Shot("second camera, zoomed 2x", second.with_changes(hfov_deg=27.0), 14),
    ]
