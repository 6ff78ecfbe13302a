"""Video benchmark (issue 3): figures and ratios against the reference tools, in one run.

Not a test: run on demand, prints figures, never fails on timing.

    .venv/bin/python bench/bench_video.py [--workdir /tmp/gwb_bench] [--sd-python PY]

Measures, stating GOP length and pixel format for each figure:

* sequential decode throughput, native format and with RGB conversion, and the frame-table
  pass (decode + framemd5), against ``ffmpeg -threads 2 -f null`` on the same file;
* stepping one frame forward and back at 1080p (p95);
* random ``frame_at`` at GOP 60 and GOP 250 (median, p95);
* cut detection throughput and accuracy on the shared videos, against PySceneDetect's
  ContentDetector and AdaptiveDetector when a Python with ``scenedetect`` is given
  (``--sd-python``; it runs in its own process, our venv does not depend on it);
* the same for cuts between shots of similar colour (accuracy; the files are short): the
  scenario's same-light edit and real clips spliced (tests/synth/splice.py), made in
  ``--workdir``.

Needs a system ``ffmpeg`` for the reference timings (the product never calls it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
import numpy as np  # noqa: E402

from analysis.video.cuts import detect_cuts  # noqa: E402
from analysis.video.decode import VideoReader  # noqa: E402
from analysis.video.probe import open_container  # noqa: E402
from analysis.video.table import build_frame_table  # noqa: E402
from tests.synth.splice import SPLICES, write_splice  # noqa: E402
from tests.synth.video import SynthSpec, textured, write_video  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "video"
MEDIA = Path(__file__).resolve().parents[1] / "tests" / "data" / "media" / "video"

CUT_TRUTH = {
    "testvideo.mp4": {"cut": [30, 180], "gradual": [(211, 240), (331, 360), (394, 423),
                                                    (529, 558), (664, 693)]},
    "issue-134-rotate.mp4": {"cut": [90, 210], "gradual": []},
    "vtest.avi": {"cut": [], "gradual": []},
    "drone-sky.mp4": {"cut": [], "gradual": []},
}  # fmt: skip

SD_SCRIPT = r"""
import json, sys, time
from scenedetect import detect, ContentDetector, AdaptiveDetector
out = {}
for name, det in (("content", ContentDetector), ("adaptive", AdaptiveDetector)):
    t, c = time.perf_counter(), time.process_time()
    scenes = detect(sys.argv[1], det())
    out[name] = {"seconds": time.perf_counter() - t, "cpu": time.process_time() - c,
                 "cuts": [s[0].get_frames() for s in scenes[1:]]}
print(json.dumps(out))
"""


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


class Clock:
    """Wall and CPU seconds of a block: CPU time (all threads, or the child processes) is
    what stays comparable on a shared, overloaded machine."""

    def __init__(self, children: bool = False) -> None:
        self.children = children

    def _cpu(self) -> float:
        if self.children:
            r = resource.getrusage(resource.RUSAGE_CHILDREN)
            return r.ru_utime + r.ru_stime
        return time.process_time()

    def __enter__(self) -> Clock:
        self.wall0, self.cpu0 = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = self._cpu() - self.cpu0


def ffmpeg_null(path: Path) -> Clock:
    with Clock(children=True) as clock:
        subprocess.run(
        ["ffmpeg", "-v", "error", "-threads", "2", "-noautorotate", "-i", str(path),
         "-map", "0:v:0", "-f", "null", "-"],
        check=True,
    )  # fmt: skip
    return clock


def pyav_decode(path: Path, rgb: bool) -> tuple[Clock, int]:
    container, stream = open_container(path)
    stream.codec_context.thread_count = 2
    n = 0
    with Clock() as clock:
        for frame in container.decode(stream):
            if rgb:
                frame.to_ndarray(format="rgb24")
            n += 1
    container.close()
    return clock, n


def ratio(ref: Clock, ours: Clock) -> str:
    return f"{ref.wall / ours.wall:.2f}x wall, {ref.cpu / ours.cpu:.2f}x CPU"


def gop_of(path: Path) -> str:
    table = build_frame_table(path)
    keys = table.keyframe_indices
    gaps = np.diff(keys) if len(keys) > 1 else [len(table)]
    return f"GOP max {int(np.max(gaps))} (keyframes {len(keys)}), {table.pix_fmt}"


def make_1080p(workdir: Path, gop: int, frames: int) -> Path:
    """A 1080p H.264 file with B-frames and a fixed GOP, from real handheld footage.

    drone-sky.mp4 (640x360, handheld, clouds) enlarged to 1920x1080 so that the encoder has
    real motion and noise to code (a synthetic pattern codes to almost nothing and decodes
    unrealistically fast); synthetic texture when the shared data is absent.
    """
    path = workdir / f"bench_1080p_gop{gop}.mp4"
    if path.exists():
        return path
    spec = SynthSpec(
        width_px=1920, height_px=1080, frames=frames, fps=30, gop=gop, b_frames=3,
        options=(("preset", "veryfast"), ("crf", "21"),
                 ("x264-params", f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=3")),
    )  # fmt: skip
    source = SHARED / "drone-sky.mp4"
    if not source.exists():
        return write_video(
            path, spec, lambda i: np.kron(textured(i, 480, 270), np.ones((4, 4, 1), np.uint8))
        )
    container = av.open(str(source))
    decoded = container.decode(video=0)

    def scene(i: int) -> np.ndarray:
        frame = next(decoded)
        return frame.reformat(width=1920, height=1080, format="rgb24",
                              interpolation="BICUBIC").to_ndarray()  # fmt: skip

    try:
        return write_video(path, spec, scene)
    finally:
        container.close()


def bench_decode(paths: list[Path]) -> None:
    print("\n== sequential decode (2 threads) vs ffmpeg -threads 2 -f null ==")
    print("   (ratio = ffmpeg time / our time: above 1 is faster than ffmpeg)")
    for path in paths:
        ff = ffmpeg_null(path)
        native, n = pyav_decode(path, rgb=False)
        rgb, _ = pyav_decode(path, rgb=True)
        with Clock() as table:
            build_frame_table(path)
        print(f"{path.name}: {n} frames, {gop_of(path)}")
        print(f"  ffmpeg null   {n / ff.wall:7.1f} fps wall, {ff.cpu:6.2f} s CPU")
        for label, c in (("native", native), ("+RGB", rgb), ("frame table", table)):
            print(f"  {label:<13} {n / c.wall:7.1f} fps wall, {c.cpu:6.2f} s CPU  "
                  f"({ratio(ff, c)})")  # fmt: skip


def timed(fn, *args) -> tuple[float, float]:  # noqa: ANN001
    """(wall, CPU) seconds of one call; CPU counts the decoder threads too."""
    w, c = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - w, time.process_time() - c


def summary(label: str, samples: list[tuple[float, float]]) -> str:
    wall = [s[0] * 1e3 for s in samples]
    cpu = [s[1] * 1e3 for s in samples]
    return (f"  {label:<8} wall median {statistics.median(wall):6.1f} ms, p95 {p95(wall):6.1f} ms"
            f" | CPU median {statistics.median(cpu):6.1f} ms, p95 {p95(cpu):6.1f} ms"
            f" ({len(samples)} calls)")  # fmt: skip


def bench_steps(path: Path, steps: int = 90) -> None:
    print(f"\n== stepping at 1080p: {path.name}, {gop_of(path)} ==")
    print("   (CPU time is an upper bound of the wall time on an idle machine)")
    table = build_frame_table(path)
    with VideoReader(path, table) as reader:
        start = len(reader) // 2
        reader.frame_at(start)
        end = min(start + 1 + steps, len(reader))
        fwd = [timed(reader.frame_at, i) for i in range(start + 1, end)]
        back = [timed(reader.frame_at, j) for j in range(end - 2, max(end - 2 - 2 * steps, 0), -1)]
    print(summary("forward", fwd))
    print(summary("back", back))


def bench_random(path: Path, count: int = 30) -> None:
    table = build_frame_table(path)
    rng = random.Random(11)
    samples = []
    with VideoReader(path, table) as reader:
        for _ in range(count):
            i = rng.randrange(len(reader))
            reader.clear_cache()  # cold: no cached picture, no live decoder position
            samples.append(timed(reader.frame_at, i))
        seeks, fallbacks = reader.seeks, reader.fallbacks
    print(f"  {path.name} ({gop_of(path)}), {seeks} seeks, {fallbacks} fallbacks")
    print(summary("random", samples))


def score_cuts(name: str, hard: list[int], gradual: list[tuple[int, int]]) -> str:
    truth = CUT_TRUTH[name]
    found_cuts = sum(1 for c in truth["cut"] if any(abs(c - h) <= 1 for h in hard))
    found_grad = sum(
        1 for a, b in truth["gradual"]
        if any(a - 2 <= f <= b + 2 for f in hard) or any(s <= b and e >= a for s, e in gradual)
    )  # fmt: skip
    truth_frames = truth["cut"] + [f for a, b in truth["gradual"] for f in range(a, b + 1)]
    false = [h for h in hard if all(abs(h - t) > 2 for t in truth_frames)]
    false += [(s, e) for s, e in gradual
              if not any(s <= b and e >= a for a, b in truth["gradual"])]  # fmt: skip
    return (f"hard {found_cuts}/{len(truth['cut'])}, gradual {found_grad}/"
            f"{len(truth['gradual'])}, false {len(false)} {false[:6]}")  # fmt: skip


def same_light_videos(workdir: Path) -> dict[str, Path]:
    """Cuts between shots of similar colour, with their truth added to CUT_TRUTH: the
    scenario's same-light edit (seven shots of one town at one moment) and real splices."""
    from fractions import Fraction

    from workbench.scenario.edits import render_edit, same_light_shots
    from workbench.scenario.media import write_mp4
    from workbench.scenario.scene import ScenarioConfig
    from workbench.scenario.sun import solar_position
    from workbench.scenario.town import SITES
    from workbench.scenario.world import build_world

    world = build_world(7, gsd_m=2.0)
    sun = solar_position(ScenarioConfig().strike_utc, world.origin_lat_deg, world.origin_lon_deg)
    size = (480, 270)
    edit = render_edit(
        world,
        same_light_shots(world, size),
        sun,
        fps=25.0,
        strike_enu=(*SITES["strike_point"], 0.0),
        rng=np.random.default_rng(7),
    )
    paths = {"scenario-same-light.mp4": workdir / "scenario-same-light.mp4"}
    write_mp4(paths["scenario-same-light.mp4"], edit.frames, fps=Fraction(25), size=size,
              audio=None, sample_rate=48000)  # fmt: skip
    CUT_TRUTH["scenario-same-light.mp4"] = {"cut": list(edit.cut_frames), "gradual": []}
    for splice in SPLICES:
        name = f"splice-{Path(splice.source).stem}.mp4"
        paths[name] = write_splice(workdir / name, MEDIA, splice)
        CUT_TRUTH[name] = {"cut": splice.cut_frames, "gradual": []}
    return paths


def bench_cuts(sd_python: str | None, extra: dict[str, Path]) -> None:
    print("\n== cut detection: throughput vs ffmpeg -threads 2 -f null, accuracy vs truth ==")
    for name in CUT_TRUTH:
        path = extra.get(name, SHARED / name)
        if not path.exists():
            print(f"  {name}: absent")
            continue
        ff = ffmpeg_null(path)
        with Clock() as ours:
            result = detect_cuts(path)
        hard = [c.frame for c in result.cuts if c.kind == "cut"]
        grad = [(c.start_frame, c.end_frame) for c in result.cuts if c.kind != "cut"]
        print(f"{name}: {result.frame_count} frames, {gop_of(path)}")
        print(f"  ours        {ratio(ff, ours)} | {score_cuts(name, hard, grad)}")
        if sd_python:
            out = subprocess.run([sd_python, "-c", SD_SCRIPT, str(path)], check=True,
                                 capture_output=True, text=True).stdout  # fmt: skip
            for det, res in json.loads(out.strip().splitlines()[-1]).items():
                acc = score_cuts(name, res["cuts"], [])
                print(f"  sd-{det:<8} {ff.wall / res['seconds']:.2f}x wall, "
                      f"{ff.cpu / res['cpu']:.2f}x CPU | {acc}")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/gwb_bench"))
    ap.add_argument("--sd-python", help="a python with scenedetect installed")
    ap.add_argument("--skip-1080p", action="store_true")
    args = ap.parse_args()
    if shutil.which("ffmpeg") is None:
        print("a system ffmpeg is needed for the reference timings", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    print("PyAV", av.__version__, {k: ".".join(map(str, v)) for k, v in av.library_versions.items()
                                    if k in ("libavcodec", "libavformat")})  # fmt: skip
    print(f"load average at start: {os.getloadavg()} on {os.cpu_count()} CPUs "
          "(a shared machine: ratios measured in the same run matter more than ms)")  # fmt: skip
    print(subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout
          .splitlines()[0])  # fmt: skip
    paths = [SHARED / "testvideo.mp4", SHARED / "drone-sky.mp4"]
    if not args.skip_1080p:
        g60 = make_1080p(args.workdir, 60, 300)
        g250 = make_1080p(args.workdir, 250, 500)
        paths.append(g60)
    bench_decode([p for p in paths if p.exists()])
    if not args.skip_1080p:
        bench_steps(g60)
        print("\n== random frame_at ==")
        bench_random(g60)
        bench_random(g250)
    bench_cuts(args.sd_python, same_light_videos(args.workdir))
    print(f"\nload average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
