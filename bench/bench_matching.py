"""Benchmark of the matching engine against plain OpenCV, measured in the same run.

Not a test: prints figures and ratios, never fails on timing.

    .venv/bin/python bench/bench_matching.py [--data ../shared/data] [--quick]

1. Accuracy: every image of shared/data/satellite and shared/data/pairs warped by the ten view
   changes of tests.synth.matching.standard_specs (zoom 0.25-4, roll, +-30 deg tilt, blur,
   brightness, JPEG). Mean corner error as defined in
   analysis.matching.geometry.mean_corner_error_px (corners of the finer view, in the coarser
   view's pixels); a failure counts as an infinite error. Zoom error relative to the true zoom
   at the true overlap's centroid.
   Plain OpenCV = SIFT at full resolution (default parameters), brute-force L2 kNN, Lowe's
   ratio 0.75, findHomography(RANSAC, 3 px) (which refines on the inliers by LM).
2. Time per 1080p pair (1920x1080 views of the pairs/ photos, zoom 1.3 and 10 deg roll): cold
   (features of both + engine.match_pair: matching, native patches, ECC) and with cached
   features (loaded from .npz: match_pair), at working resolutions 1600 and 1280, vs plain.
   Wall and CPU time are printed with the load average: on a shared machine the wall time is
   not the two-core figure.
3. Region search: boxes drawn in A, found in B warped by 0.5-2x zoom and up to 30 deg tilt
   (positives) and searched in an unrelated image (negatives); share of correct
   quadrilaterals (mean corner error < 3 px) per inlier band, the data behind the
   confidence constants of analysis.matching.region.
4. Mixed resolution: B 2x and 4x A's size, with and without perspective (roll, 20-25 deg
   tilts, blur, JPEG), built two ways from each real photo (the 4,608 px phone photo of
   shared/data/photos/gps included): "enlarged" (B is A zoomed into a frame that many times
   larger, as a zoomed crop saved at full size) and "reference" (B is the photo at its own
   size, A a view that many times smaller, as a video frame against a reference photo); plus
   equal-size 40 deg tilts (about Oxford graf 1 to 3). Corner error in the LARGER image's
   pixels (mean_corner_error_larger_px), ours (match_images) and plain OpenCV in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.matching.engine import (  # noqa: E402
    compute_features,
    match_images,
    match_pair,
)
from analysis.matching.features import (  # noqa: E402
    DEFAULT_MAX_FEATURES,
    DEFAULT_WORK_LONG_SIDE_PX,
    Features,
)
from analysis.matching.geometry import (  # noqa: E402
    apply_h,
    mean_corner_error_larger_px,
    mean_corner_error_px,
    overlap,
    zoom_rotation,
)
from analysis.matching.region import find_region  # noqa: E402
from tests.synth.matching import (  # noqa: E402
    WarpSpec,
    make_mixed_pair,
    make_pair,
    standard_specs,
)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def plain_opencv(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    sift = cv2.SIFT_create()
    ka, da = sift.detectAndCompute(cv2.cvtColor(a, cv2.COLOR_BGR2GRAY), None)
    kb, db = sift.detectAndCompute(cv2.cvtColor(b, cv2.COLOR_BGR2GRAY), None)
    if da is None or db is None or len(ka) < 2 or len(kb) < 2:
        return None
    knn = cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2)
    good = [m[0] for m in knn if len(m) == 2 and m[0].distance < 0.75 * m[1].distance]
    if len(good) < 4:
        return None
    pa = np.float32([ka[m.queryIdx].pt for m in good])
    pb = np.float32([kb[m.trainIdx].pt for m in good])
    h, _ = cv2.findHomography(pa, pb, cv2.RANSAC, 3.0)
    return h


def images(data: Path) -> list[Path]:
    return sorted((data / "satellite").glob("*.png")) + sorted((data / "pairs").glob("*.*"))


def summarise(name: str, errs: list[float], zerrs: list[float], times: list[float]) -> None:
    e, z = np.array(errs), np.array(zerrs)
    print(
        f"  {name:<14} under 2 px {np.mean(e < 2):6.1%}  under 1 px {np.mean(e < 1):6.1%}  "
        f"p90 {np.percentile(e, 90):7.3f} px  median {np.median(e):6.3f} px  "
        f"zoom err p90 {np.percentile(z, 90) * 100:6.2f}%  max {np.max(z) * 100:7.2f}%  "
        f"time/pair median {np.median(times):.3f} s"
    )


def accuracy(
    data: Path,
    quick: bool,
    side: int = DEFAULT_WORK_LONG_SIDE_PX,
    nfeat: int = DEFAULT_MAX_FEATURES,
) -> None:
    print(f"\n1. Accuracy on warped real photos (working long side {side}, {nfeat} features)")
    rows = {"ours": ([], [], []), "plain OpenCV": ([], [], [])}
    specs = standard_specs()
    for path in images(data)[: 3 if quick else None]:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        for k, spec in enumerate(specs):
            a, b, h_true = make_pair(img, spec)
            wh = (a.shape[1], a.shape[0])
            _, _, centre = overlap(h_true, wh, wh)
            z_true = zoom_rotation(h_true, centre)[0]
            t0 = time.perf_counter()
            r = match_images(a, b, work_long_side_px=side, max_features=nfeat)
            t1 = time.perf_counter()
            hp = plain_opencv(a, b)
            t2 = time.perf_counter()
            for name, h, dt in (("ours", r.homography, t1 - t0), ("plain OpenCV", hp, t2 - t1)):
                err, zerr = np.inf, np.inf
                if h is not None and np.all(np.isfinite(h)):
                    err = mean_corner_error_px(h, h_true, wh, wh)
                    _, _, c = overlap(h_true, wh, wh)
                    zerr = abs(zoom_rotation(h, c)[0] / z_true - 1.0)
                rows[name][0].append(err)
                rows[name][1].append(zerr)
                rows[name][2].append(dt)
            e_ours, e_plain = rows["ours"][0][-1], rows["plain OpenCV"][0][-1]
            if e_ours >= 1.0 or e_plain >= 2.0:
                print(f"    {path.name} spec {k}: ours {e_ours:.2f} px ({r.verdict}: "
                      f"{r.reason[:70]}), plain {e_plain:.2f} px")  # fmt: skip
    print(f"  pairs: {len(rows['ours'][0])}")
    for name, (e, z, t) in rows.items():
        summarise(name, e, z, t)


MIXED_SPECS = {
    "no perspective": [
        WarpSpec(roll_deg=8, blur_sigma_px=1.0, jpeg_quality=75),
        WarpSpec(roll_deg=-15, blur_sigma_px=0.5, jpeg_quality=85, gain=0.8, offset=10),
    ],
    "perspective": [
        WarpSpec(roll_deg=-6, tilt_x_deg=25, tilt_y_deg=-12, blur_sigma_px=1.0, jpeg_quality=75),
        WarpSpec(roll_deg=10, tilt_x_deg=-20, tilt_y_deg=20, blur_sigma_px=0.7, jpeg_quality=80),
    ],
}
ENLARGED_LONG_SIDE_PX = 1024
REFERENCE_LONG_SIDE_PX = 4608
NOKIA = Path("photos/gps/HMD_Nokia_8.3_5G.jpg")


def _cap(img: np.ndarray, long_side: int) -> np.ndarray:
    s = long_side / max(img.shape[:2])
    return img if s >= 1.0 else cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)


def _mixed_pairs(data: Path, quick: bool):
    """(class name, image name, A, B, true H): B 2x and 4x A's size, two constructions.

    "enlarged": B is A (a real photo, long side capped at ENLARGED_LONG_SIDE_PX) zoomed by the
    factor into a frame that many times larger, then blurred and JPEG-compressed: a zoomed
    crop or an up-scaled frame saved at full size. "reference": B is the real photo at its
    own size (the 4,608 px phone photo included), A a view of it that many times smaller,
    blurred and compressed: a video frame against a reference photo.
    """
    paths = images(data)[: 2 if quick else None] + [data / NOKIA]
    for factor in (2, 4):
        for persp, specs in MIXED_SPECS.items():
            for i, path in enumerate(paths):
                img = cv2.imread(str(path), cv2.IMREAD_COLOR)
                spec = specs[i % len(specs)]
                small = _cap(img, ENLARGED_LONG_SIDE_PX)
                wh = (small.shape[1] * factor, small.shape[0] * factor)
                a, b, h = make_pair(small, replace(spec, zoom=float(factor)), wh)
                yield f"{factor}x enlarged, {persp}", path.name, a, b, h
                a, b, h = make_mixed_pair(_cap(img, REFERENCE_LONG_SIDE_PX), spec, factor)
                yield f"{factor}x reference, {persp}", path.name, a, b, h
    for i, path in enumerate(paths):  # about Oxford graf 1 to 3: 40 degrees out of plane
        img = _cap(cv2.imread(str(path), cv2.IMREAD_COLOR), ENLARGED_LONG_SIDE_PX)
        tilt = WarpSpec(tilt_x_deg=40 if i % 2 else 0, tilt_y_deg=0 if i % 2 else 40,
                        roll_deg=5, jpeg_quality=85)  # fmt: skip
        yield "equal size, 40 deg tilt", path.name, *make_pair(img, tilt)


def _mixed_summary(name: str, errs: list[float], times: list[float]) -> str:
    e = np.array(errs)
    return (
        f"{name}: under 2 px {np.mean(e < 2):6.1%}, under 1 px {np.mean(e < 1):6.1%}, "
        f"p90 {np.percentile(e, 90):7.3f} px, max {np.max(e):7.3f} px, "
        f"time/pair median {np.median(times):6.2f} s"
    )


def mixed(data: Path, quick: bool) -> None:
    print("\n4. Mixed resolution: B 2x and 4x A's size; corner error in the LARGER image's pixels")
    print("   (analysis.matching.geometry.mean_corner_error_larger_px; a failure is infinite)")
    rows: dict[str, dict[str, tuple[list[float], list[float]]]] = {}
    for cls, name, a, b, h_true in _mixed_pairs(data, quick):
        wa, wb = (a.shape[1], a.shape[0]), (b.shape[1], b.shape[0])
        t0 = time.perf_counter()
        r = match_images(a, b)
        t1 = time.perf_counter()
        hp = plain_opencv(a, b)
        t2 = time.perf_counter()
        row = rows.setdefault(cls, {"ours": ([], []), "plain OpenCV": ([], [])})
        for who, h, dt in (("ours", r.homography, t1 - t0), ("plain OpenCV", hp, t2 - t1)):
            ok = h is not None and np.all(np.isfinite(h))
            row[who][0].append(mean_corner_error_larger_px(h, h_true, wa, wb) if ok else np.inf)
            row[who][1].append(dt)
        e_ours, e_plain = row["ours"][0][-1], row["plain OpenCV"][0][-1]
        print(f"    {cls:<32} {name:<22} A {wa[0]}x{wa[1]}, B {wb[0]}x{wb[1]}: ours "
              f"{e_ours:7.3f} px {t1 - t0:6.2f} s, plain {e_plain:7.3f} px {t2 - t1:6.2f} s"
              + ("" if e_ours < 1.0 else f"  ({r.reason[:90]})"), flush=True)  # fmt: skip
    for cls, row in rows.items():
        print(f"  {cls} ({len(row['ours'][0])} pairs)")
        for who, (errs, times) in row.items():
            print("    " + _mixed_summary(f"{who:<12}", errs, times))


def to_1080p(img: np.ndarray) -> np.ndarray:
    s = max(1920 / img.shape[1], 1080 / img.shape[0])
    big = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
    y0, x0 = (big.shape[0] - 1080) // 2, (big.shape[1] - 1920) // 2
    return np.ascontiguousarray(big[y0 : y0 + 1080, x0 : x0 + 1920])


def timing(data: Path, quick: bool) -> None:
    print("\n2. Time per 1080p pair (zoom 1.3, roll 10 deg; the four pairs/ photos upscaled)")
    paths = sorted((data / "pairs").glob("*.*"))[: 2 if quick else None]
    pairs = []
    for path in paths:
        img = to_1080p(cv2.imread(str(path), cv2.IMREAD_COLOR))
        pairs.append(make_pair(img, WarpSpec(zoom=1.3, roll_deg=10)))
    plain, plain_cpu = [], []
    for a, b, _ in pairs:
        t0, c0 = time.perf_counter(), time.process_time()
        plain_opencv(a, b)
        plain.append(time.perf_counter() - t0)
        plain_cpu.append(time.process_time() - c0)
    print(f"  plain OpenCV: wall {np.median(plain):.3f} s, CPU {np.median(plain_cpu):.3f} s")
    for side in (1600, 1280):
        cold, cold_cpu, cached, errs = [], [], [], []
        with tempfile.TemporaryDirectory() as tmp:
            for i, (a, b, h_true) in enumerate(pairs):
                t0, c0 = time.perf_counter(), time.process_time()
                nfeat = 4000 if side == 1600 else 3000
                with ThreadPoolExecutor(max_workers=2) as pool:  # as match_images does
                    ja = pool.submit(
                        compute_features, a, work_long_side_px=side, max_features=nfeat
                    )
                    jb = pool.submit(
                        compute_features, b, work_long_side_px=side, max_features=nfeat
                    )
                    fa, fb = ja.result(), jb.result()
                r = match_pair(a, b, fa, fb)
                cold.append(time.perf_counter() - t0)
                cold_cpu.append(time.process_time() - c0)
                fa.to_npz(Path(tmp) / f"{i}a.npz")
                fb.to_npz(Path(tmp) / f"{i}b.npz")
                t0 = time.perf_counter()
                ca = Features.from_npz(Path(tmp) / f"{i}a.npz")
                cb = Features.from_npz(Path(tmp) / f"{i}b.npz")
                match_pair(a, b, ca, cb)
                cached.append(time.perf_counter() - t0)
                ok = r.homography is not None
                errs.append(mean_corner_error_px(r.homography, h_true, (1920, 1080), (1920, 1080))
                            if ok else np.inf)  # fmt: skip
        print(
            f"  ours, long side {side}, {nfeat} features: cold wall {np.median(cold):.3f} s "
            f"(CPU {np.median(cold_cpu):.3f} s), cached features {np.median(cached):.3f} s; "
            f"cold/plain {np.median(cold) / np.median(plain):.2f}, cached/plain "
            f"{np.median(cached) / np.median(plain):.2f}; corner error max {max(errs):.3f} px"
        )


def _boxes(img: np.ndarray, n: int, size: int, rng: np.random.Generator) -> list[tuple]:
    h, w = img.shape[:2]
    return [
        (int(rng.integers(size, w - 2 * size)), int(rng.integers(size, h - 2 * size)), size, size)
        for _ in range(n)
    ]


def region(data: Path, quick: bool) -> None:
    print("\n3. Region search (boxes 40-120 px, default context): correct share per inlier band")
    rng = np.random.default_rng(5)
    outcomes = []  # (found, inliers, correct, positive)
    neg_best = []  # largest consensus MAGSAC found on each negative, below the threshold or not
    paths = images(data)
    other = cv2.imread(str(data / "pairs" / "aero1.jpg"), cv2.IMREAD_COLOR)
    for path in paths[: 3 if quick else None]:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        for _ in range(2 if quick else 4):
            spec = WarpSpec(
                zoom=float(np.exp(rng.uniform(np.log(0.5), np.log(2.0)))),
                roll_deg=float(rng.uniform(-20, 20)),
                tilt_x_deg=float(rng.uniform(-30, 30)),
                tilt_y_deg=float(rng.uniform(-15, 15)),
                blur_sigma_px=float(rng.uniform(0, 1.5)),
                jpeg_quality=int(rng.integers(50, 90)),
            )
            a, b, h_true = make_pair(img, spec)
            for box in _boxes(a, 1, 40, rng) + _boxes(a, 1, 70, rng) + _boxes(a, 1, 120, rng):
                x, y, w, hh = box
                corners = np.array([[x, y], [x + w, y], [x + w, y + hh], [x, y + hh]]) - 0.5
                truth = apply_h(h_true, corners)
                inside = np.all((truth >= 0) & (truth < [b.shape[1], b.shape[0]]))
                if not inside:
                    continue
                r = find_region(a, box, b)
                ok = r.found and float(np.linalg.norm(r.quad_b_px - truth, axis=1).mean()) < 3.0
                outcomes.append((r.found, r.n_inliers, ok, True))
                neg = find_region(a, box, other if path.name != "aero1.jpg" else img[::-1])
                outcomes.append((neg.found, neg.n_inliers, False, False))
                neg_best.append(int(neg.match.inlier_mask.sum()))
    bands = [(0, 8), (8, 12), (12, 16), (16, 20), (20, 30), (30, 60), (60, 10**9)]
    print("  inliers   found  correct  positives  negatives-found")
    for lo, hi in bands:
        sel = [o for o in outcomes if lo <= o[1] < hi]
        found = [o for o in sel if o[0]]
        correct = sum(o[2] for o in found)
        npos = sum(o[3] for o in sel)
        nneg = sum((not o[3]) and o[0] for o in sel)
        share = f"{correct / len(found):.2f}" if found else "  - "
        top = hi if hi < 10**9 else "inf"
        print(f"  {lo:>3}-{top:<4} {len(found):>6} {share:>8} {npos:>10} {nneg:>16}")
    pos = [o for o in outcomes if o[3]]
    neg = [o for o in outcomes if not o[3]]
    print(
        f"  positives {len(pos)}: found and correct {sum(o[2] for o in pos) / len(pos):.1%}; "
        f"negatives {len(neg)}: falsely found {sum(o[0] for o in neg) / max(len(neg), 1):.1%}"
    )
    pos_inl = sorted(o[1] for o in pos)
    print(
        f"  MAGSAC consensus on negatives: max {max(neg_best, default=0)}, "
        f"p95 {np.percentile(neg_best, 95) if neg_best else 0:.0f}; inliers of positives: "
        f"min {pos_inl[0] if pos_inl else 0}, p5 {np.percentile(pos_inl, 5) if pos_inl else 0:.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="a few pairs only")
    parser.add_argument(
        "--part",
        choices=("all", "accuracy", "accuracy-1600", "timing", "region", "mixed"),
        default="all",
    )
    args = parser.parse_args()
    print(
        f"bench_matching: OpenCV {cv2.__version__}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, cv2 threads {cv2.getNumThreads()}, "
        f"load average {os.getloadavg()[0]:.1f}, {platform.machine()}"
    )
    if args.part in ("all", "accuracy"):
        accuracy(args.data, args.quick)
    if args.part == "accuracy-1600":
        accuracy(args.data, args.quick, side=1600, nfeat=4000)
    if args.part in ("all", "timing"):
        timing(args.data, args.quick)
    if args.part in ("all", "region"):
        region(args.data, args.quick)
    if args.part in ("all", "mixed"):
        mixed(args.data, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
