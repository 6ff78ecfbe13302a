"""Contact sheet of a generated scenario, and the generator's speed against plain encoding.

Usage:
    .venv/bin/python bench/contact_sheet.py OUT_DIR [--seed N] [--sheet sheet.png]
    .venv/bin/python bench/contact_sheet.py OUT_DIR --bench

The sheet shows, for each video, the first frame, the flash, the last frame before the cut,
the first frame after it and the last frame; then the drone still, the reference photo and
a crop of the orthophoto around the school. ``--bench`` renders a 10 s 1280x720 rooftop
clip and compares its wall time with encoding the same number of constant frames through
the same PyAV/libx264 settings (the reference: what the encoder alone costs).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.scenario import ScenarioConfig, generate_scenario  # noqa: E402
from workbench.scenario.media import write_mp4  # noqa: E402

TILE_W = 480


def decode_frames(path: Path, wanted: set[int]) -> dict[int, np.ndarray]:
    out = {}
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i in wanted:
                out[i] = frame.to_ndarray(format="rgb24")
    return out


def tile(img: np.ndarray, label: str) -> np.ndarray:
    h, w = img.shape[:2]
    t = cv2.resize(img, (TILE_W, int(round(h * TILE_W / w))), interpolation=cv2.INTER_AREA)
    t = cv2.copyMakeBorder(t, 22, 4, 4, 4, cv2.BORDER_CONSTANT, value=(20, 20, 20))
    cv2.putText(t, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return t


def rows_to_sheet(rows: list[list[np.ndarray]]) -> np.ndarray:
    width = max(sum(t.shape[1] for t in row) for row in rows)
    lines = []
    for row in rows:
        height = max(t.shape[0] for t in row)
        padded = [
            cv2.copyMakeBorder(t, 0, height - t.shape[0], 0, 0, cv2.BORDER_CONSTANT) for t in row
        ]
        line = np.hstack(padded)
        lines.append(cv2.copyMakeBorder(line, 0, 0, 0, width - line.shape[1], cv2.BORDER_CONSTANT))
    return np.vstack(lines)


def contact_sheet(out_dir: Path, sheet: Path) -> None:
    truth = json.loads((out_dir / "truth.json").read_text())
    rows = []
    for role, video in truth["videos"].items():
        n = video["frame_count"]
        picks = {0: "first", n - 1: "last"}
        for f in video["flash"]["frames"][:1]:
            picks[f] = "flash"
        if video["cut"]:
            c = video["cut"]["frame"]
            picks[c - 1] = "before cut"
            picks[c] = "after cut"
        frames = decode_frames(out_dir / video["file"], set(picks))
        rows.append([tile(frames[i], f"{role} #{i} {picks[i]}") for i in sorted(frames)])
    stills = []
    for role, photo in truth["photos"].items():
        img = cv2.cvtColor(cv2.imread(str(out_dir / photo["file"])), cv2.COLOR_BGR2RGB)
        stills.append(tile(img, role))
    ortho = truth["orthophoto"]
    if ortho["file"]:
        img = cv2.cvtColor(cv2.imread(str(out_dir / ortho["file"])), cv2.COLOR_BGR2RGB)
        c = int(round(-ortho["east_min_m"] / ortho["gsd_m"]))
        r = int(round(ortho["north_max_m"] / ortho["gsd_m"]))
        half = int(round(260 / ortho["gsd_m"]))
        stills.append(tile(img[r - half : r + half, c - half : c + half], "orthophoto, school"))
    rows.append(stills)
    cv2.imwrite(str(sheet), cv2.cvtColor(rows_to_sheet(rows), cv2.COLOR_RGB2BGR))
    print(f"contact sheet: {sheet}")


def bench(out_dir: Path, seed: int) -> None:
    cfg = ScenarioConfig(
        rooftop_size=(1280, 720),
        rooftop_duration_s=10.0,
        cut_at_s=4.4,
        second_size=(320, 180),
        second_duration_s=1.0,
        still_size=(320, 240),
        photo_size=(320, 240),
        write_orthophoto=False,
    )
    marks: dict[str, float] = {}
    t0 = time.perf_counter()

    def progress(frac: float, msg: str) -> None:
        if "rooftop" in msg and "start" not in marks:
            marks["start"] = time.perf_counter()
            marks["start_cpu"] = time.process_time()
        if frac >= 0.62 and "end" not in marks:
            marks["end"] = time.perf_counter()
            marks["end_cpu"] = time.process_time()

    cpu0 = time.process_time()
    generate_scenario(out_dir, seed=seed, config=cfg, progress=progress)
    total = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    clip = marks.get("end", t0 + total) - marks.get("start", t0)
    clip_cpu = marks.get("end_cpu", 0.0) - marks.get("start_cpu", 0.0)
    frames = [np.full((720, 1280, 3), 128, np.uint8)] * 250
    t1 = time.perf_counter()
    c1 = time.process_time()
    write_mp4(
        out_dir / "reference_encode.mp4",
        iter(frames),
        fps=Fraction(25),
        size=(1280, 720),
        audio=np.zeros(480000, np.float32),
        sample_rate=48000,
    )
    ref = time.perf_counter() - t1
    ref_cpu = time.process_time() - c1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, 1-min load average {load:.1f}")
    print(f"10 s 1280x720 rooftop clip (render + encode): {clip:.2f} s wall, {clip_cpu:.2f} s CPU")
    print(f"whole run incl. world and small extras: {total:.2f} s wall, {cpu:.2f} s CPU (main)")
    print(
        f"reference: encoding 250 flat 720p frames + audio alone: {ref:.2f} s wall, "
        f"{ref_cpu:.2f} s CPU"
    )
    print(f"ratio clip / encode-only: {clip / ref:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheet", type=Path, default=None)
    parser.add_argument("--bench", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="use an existing scenario folder")
    args = parser.parse_args()
    if args.bench:
        bench(args.out_dir, args.seed)
        return 0
    if not args.reuse:
        generate_scenario(args.out_dir, seed=args.seed)
    contact_sheet(args.out_dir, args.sheet or args.out_dir / "contact_sheet.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
