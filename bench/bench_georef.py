"""Benchmark of automatic registration against plain OpenCV SIFT, measured in the same run.

Not a test: prints figures, never fails on timing.

    .venv/bin/python bench/bench_georef.py [--data ../shared/data] [--trials 100] [--seed 7]

1. Accuracy. The mosaic of the four tiles of shared/data/satellite (map.csv corners) is viewed
   by tests.synth.georef_views.random_specs: 320-640 px frames, footprints about 60-180 m,
   any heading, 0-35 deg from nadir, 45-75 deg field of view, blur, gain/offset/gamma, a colour
   cast, noise, JPEG 35-85. Error = the mean distance, in metres on the ground, between the
   true and the estimated footprint at the corners of the frame (inside the mosaic:
   analysis.matching.geometry.mean_corner_error_larger_px times the mosaic's pixel size).
   Plain OpenCV = cv2.SIFT (default parameters) on the frame and the whole mosaic at full
   resolution, BFMatcher kNN with Lowe's ratio 0.75, findHomography(RANSAC, 5 px); it always
   answers (a homography or nothing). Ours = analysis.imagery.register_auto, which may answer
   "not registered"; a registered answer over 1.5 m is a WRONG FOOTPRINT.
2. Time for one 1920x1080 frame against a 2000x2000 px mosaic: the mosaic's index (once per
   mosaic, cacheable) and the registration itself, wall and CPU, with the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.imagery.mosaic import Mosaic, mosaic_from_pieces  # noqa: E402
from analysis.imagery.register_auto import MosaicIndex, register_to_mosaic  # noqa: E402
from analysis.imagery.sources import open_with_corners, read_corner_table  # noqa: E402
from analysis.matching.geometry import mean_corner_error_larger_px  # noqa: E402
from tests.synth.georef_views import (  # noqa: E402
    ViewSpec,
    footprint_inside,
    frame_to_mosaic,
    random_specs,
    render,
)

LIMIT_M = 1.5


def load_mosaic(data: Path) -> Mosaic:
    csv_path = data / "satellite" / "map.csv"
    names = read_corner_table(csv_path)
    return mosaic_from_pieces([open_with_corners(csv_path.parent / n, csv_path) for n in names])


class Plain:
    """cv2.SIFT + BFMatcher ratio 0.75 + findHomography RANSAC, mosaic features computed once."""

    def __init__(self, mosaic: np.ndarray) -> None:
        self.sift = cv2.SIFT_create()
        self.bf = cv2.BFMatcher(cv2.NORM_L2)
        self.km, self.dm = self.sift.detectAndCompute(
            cv2.cvtColor(mosaic, cv2.COLOR_BGR2GRAY), None
        )

    def register(self, frame: np.ndarray) -> np.ndarray | None:
        kf, df = self.sift.detectAndCompute(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), None)
        if df is None or len(kf) < 4:
            return None
        good = [m for m, n in self.bf.knnMatch(df, self.dm, k=2) if m.distance < 0.75 * n.distance]
        if len(good) < 4:
            return None
        pa = np.float32([kf[m.queryIdx].pt for m in good])
        pb = np.float32([self.km[m.trainIdx].pt for m in good])
        h, _ = cv2.findHomography(pa, pb, cv2.RANSAC, 5.0)
        return h


def accuracy(mosaic: Mosaic, trials: int, seed: int) -> None:
    img = mosaic.image
    mwh = (img.shape[1], img.shape[0])
    gsd = mosaic.georef.pixel_size_m()
    print(f"mosaic {mwh[0]}x{mwh[1]} px, {gsd:.3f} m/px; {trials} views, seed {seed}")
    t0 = time.perf_counter()
    plain = Plain(img)
    t_plain_index = time.perf_counter() - t0
    index = MosaicIndex(mosaic)
    t0 = time.perf_counter()
    index.ensure()
    t_index = time.perf_counter() - t0
    counts = {"plain_ok": 0, "ours_ok": 0, "ours_wrong": 0, "ours_refused": 0}
    errs_ours, t_ours, t_plain, refusals = [], [], [], []
    for i, spec in enumerate(random_specs(trials, mwh, seed=seed)):
        frame, truth = render(img, spec, seed=seed * 1000 + i), frame_to_mosaic(spec)
        t0 = time.perf_counter()
        hp = plain.register(frame)
        t_plain.append(time.perf_counter() - t0)
        e_plain = (
            mean_corner_error_larger_px(hp, truth, spec.out_wh, mwh) * gsd
            if hp is not None
            else np.inf
        )
        counts["plain_ok"] += e_plain < LIMIT_M
        t0 = time.perf_counter()
        r = register_to_mosaic(frame, index)
        t_ours.append(time.perf_counter() - t0)
        if not r.registered:
            counts["ours_refused"] += 1
            refusals.append(f"view {i} (tilt {spec.tilt_deg:.0f}, {spec.out_wh[0]} px): {r.reason}")
            continue
        e = mean_corner_error_larger_px(r.homography, truth, spec.out_wh, mwh) * gsd
        errs_ours.append(e)
        counts["ours_ok" if e < LIMIT_M else "ours_wrong"] += 1
    n = trials
    print(
        f"plain OpenCV SIFT: {counts['plain_ok']}/{n} = {100 * counts['plain_ok'] / n:.1f}% "
        f"under {LIMIT_M} m (mosaic features {t_plain_index:.1f} s once, "
        f"median {np.median(t_plain):.2f} s a view)"
    )
    print(
        f"ours:              {counts['ours_ok']}/{n} = {100 * counts['ours_ok'] / n:.1f}% under "
        f"{LIMIT_M} m, {counts['ours_wrong']} wrong footprints (registered, over {LIMIT_M} m), "
        f"{counts['ours_refused']} not registered (index {t_index:.1f} s once, "
        f"median {np.median(t_ours):.2f} s a view)"
    )
    if errs_ours:
        e = np.array(errs_ours)
        print(
            f"ours, registered: median {np.median(e):.3f} m, p95 {np.percentile(e, 95):.3f} m, "
            f"max {e.max():.3f} m"
        )
    for line in refusals:
        print("  not registered:", line)


def timing_1080p(mosaic: Mosaic) -> None:
    img = mosaic.image
    size = min(2000, img.shape[0], img.shape[1])
    crop = mosaic.crop_px((img.shape[1] - size) // 2, (img.shape[0] - size) // 2, size, size)
    spec = ViewSpec(
        centre_px=(size / 2 + 37, size / 2 - 21),
        ground_px=1100,
        out_wh=(1920, 1080),
        yaw_deg=23,
        tilt_deg=18,
        hfov_deg=60,
        jpeg_quality=80,
    )
    assert footprint_inside(spec, (size, size))
    frame = render(crop.image, spec)
    truth = frame_to_mosaic(spec)
    index = MosaicIndex(crop)
    c0, t0 = time.process_time(), time.perf_counter()
    index.ensure()
    t_idx, c_idx = time.perf_counter() - t0, time.process_time() - c0
    c0, t0 = time.process_time(), time.perf_counter()
    r = register_to_mosaic(frame, index)
    t_reg, c_reg = time.perf_counter() - t0, time.process_time() - c0
    e = (
        (
            mean_corner_error_larger_px(r.homography, truth, spec.out_wh, (size, size))
            * crop.georef.pixel_size_m()
        )
        if r.registered
        else float("nan")
    )
    plain = Plain(crop.image)
    t0 = time.perf_counter()
    hp = plain.register(frame)
    t_plain = time.perf_counter() - t0
    print(
        f"1920x1080 frame vs {size}x{size} mosaic: index {t_idx:.2f} s wall ({c_idx:.2f} s CPU, "
        f"once per mosaic), registration {t_reg:.2f} s wall ({c_reg:.2f} s CPU); "
        f"registered={r.registered}, error {e:.3f} m; plain OpenCV (mosaic features "
        f"precomputed) {t_plain:.2f} s, found={hp is not None}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    mosaic = load_mosaic(args.data)
    timing_1080p(mosaic)
    accuracy(mosaic, args.trials, args.seed)


if __name__ == "__main__":
    main()
