"""Benchmark: import validation (check_media) of large videos against FFmpeg in the same run.

Builds large files by stream-copying a source clip many times (no re-encode), then times:
- ours: ``analysis.media.metadata.check_media(path, "video")`` (structure check, demux of every
  packet, decode of the first frame and of the last group of pictures);
- reference, demux only: ``ffmpeg -v error -i FILE -map 0 -c copy -f null -``;
- reference, full decode: ``ffmpeg -v error -i FILE -f null -`` (what "no full decode" saves).
Each is timed on a warm page cache (one untimed read first), best of ``--repeat``.

Usage: .venv/bin/python bench/bench_media_check.py [--loops 150] [--workdir /tmp/x]
Prints MB/s and ratios; never fails on timing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis.media.metadata import check_media  # noqa: E402
from workbench.paths import SHARED_DATA_DIR  # noqa: E402


def build_high_bitrate_source(workdir: Path) -> Path:
    """20 s of 1080p noisy test pattern at ~20 Mbit/s (phone-like bitrate)."""
    out = workdir / "hi_src.mp4"
    if not out.exists():
        subprocess.run(
            [
                "ffmpeg", "-v", "error", "-y", "-f", "lavfi",
                "-i", "testsrc2=size=1920x1080:rate=30:duration=20",
                "-vf", "noise=alls=30:allf=t", "-c:v", "libx264", "-preset", "ultrafast",
                "-b:v", "20M", "-pix_fmt", "yuv420p", str(out),
            ],
            check=True,
        )  # fmt: skip
    return out


def loop_copy(source: Path, loops: int, out: Path) -> Path:
    if not out.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(source),
             "-map", "0", "-c", "copy", str(out)],
            check=True,
        )  # fmt: skip
    return out


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def ffmpeg(path: Path, *extra: str) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-threads", "2", "-i", str(path), *extra, "-f", "null", "-"],
        check=True,
    )


def bench_file(path: Path, repeat: int, full_decode: bool) -> None:
    size_mb = path.stat().st_size / 1e6
    path.read_bytes()  # warm the page cache for everyone alike
    ours = best_of(repeat, lambda: check_media(path, "video"))
    demux = best_of(repeat, lambda: ffmpeg(path, "-map", "0", "-c", "copy"))
    print(f"{path.name}: {size_mb:.0f} MB")
    print(f"  check_media          {ours:7.2f} s  {size_mb / ours:8.0f} MB/s")
    print(f"  ffmpeg demux (copy)  {demux:7.2f} s  {size_mb / demux:8.0f} MB/s")
    print(f"  ratio ours / ffmpeg demux = {ours / demux:.2f}")
    if full_decode:
        decode = best_of(1, lambda: ffmpeg(path))
        print(f"  ffmpeg full decode   {decode:7.2f} s  {size_mb / decode:8.0f} MB/s")
        print(f"  full decode / ours = {decode / ours:.1f}x slower")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=20, help="copies of the 20 s source")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--full-decode", action="store_true", help="also time a full decode")
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        print("ffmpeg (the reference tool) is not installed")
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_media_check_"))
    workdir.mkdir(parents=True, exist_ok=True)
    high = loop_copy(build_high_bitrate_source(workdir), args.loops, workdir / "high.mp4")
    bench_file(high, args.repeat, args.full_decode)
    low_src = SHARED_DATA_DIR / "video/testvideo.mp4"
    if low_src.exists():
        low = loop_copy(low_src, args.loops * 10, workdir / "low_bitrate_many_packets.mp4")
        bench_file(low, args.repeat, args.full_decode)
    print(f"files kept in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
