"""Benchmark: import throughput against sha256sum, and opening a case with 1,000 evidence.

Run on demand (not a test): ``.venv/bin/python bench/bench_intake.py [--size-mb 1024]``.
The 1 GB file is a small JPEG followed by random bytes (still a valid JPEG to every reader),
so the import's cost is the streaming copy + SHA-256 plus the media checks. Both tools read
the same file from a warm page cache, one after the other in this run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.synth.media_factory import make_jpeg  # noqa: E402
from workbench.case import create_case, open_case  # noqa: E402
from workbench.case.intake import file_sha256, import_file  # noqa: E402
from workbench.case.views import snapshot  # noqa: E402


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def bench_import(work: Path, size_mb: int) -> None:
    big = make_jpeg(work / "big.jpg", size=(640, 480))
    with big.open("ab") as f:
        block = os.urandom(8 * 1024 * 1024)
        for _ in range(size_mb // 8):
            f.write(block)
    size = big.stat().st_size / 1e6
    file_sha256(big)  # warm the page cache for both tools
    tool = shutil.which("sha256sum")
    if tool:
        t_ref, out = timed(
            lambda: (
                subprocess.run([tool, str(big)], capture_output=True, check=True, text=True).stdout
            )
        )
        ref_sha = out.split()[0]
    t_hash, our_sha = timed(lambda: file_sha256(big))
    with create_case(work / "imp") as case:
        t_imp, ev = timed(lambda: import_file(case, big))
    assert ev.sha256 == our_sha
    print(f"file: {size:.0f} MB (warm page cache)")
    if tool:
        assert ref_sha == our_sha
        print(f"sha256sum:              {size / t_ref:8.0f} MB/s  ({t_ref:.2f} s)")
    print(
        f"our streaming hash:     {size / t_hash:8.0f} MB/s  ({t_hash:.2f} s)"
        + (f"  ratio {t_ref / t_hash:.2f}x of sha256sum" if tool else "")
    )
    print(
        f"import (copy+hash+checks+fsync): {size / t_imp:8.0f} MB/s  ({t_imp:.2f} s)"
        + (f"  ratio {t_ref / t_imp:.2f}x of sha256sum" if tool else "")
    )


def bench_open(work: Path, count: int) -> None:
    src = work / "src"
    src.mkdir()
    path = work / "thousand.gwcase"
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    with create_case(path) as case:
        for i in range(count):
            f = src / f"p{i:04d}.jpg"
            Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(f)
            import_file(case, f)
    print(f"built a case with {count} evidence in {time.perf_counter() - t0:.1f} s")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        with open_case(path) as case:
            snap = snapshot(case)
            assert len(snap.evidence) == count
            times.append(time.perf_counter() - t0)
    print(
        f"open case + read evidence list, notes, log ({count} rows): "
        f"median {sorted(times)[2] * 1000:.0f} ms, best {min(times) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--evidence", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench_import(work, args.size_mb)
        bench_open(work, args.evidence)


if __name__ == "__main__":
    main()
