"""Benchmark: the evidence report's HTML (``workbench.report.build_report``) for the sample case
and for a large case (50 evidence files, 500 observations).

Run on demand (not a test): ``.venv/bin/python bench/bench_report.py [--repeat 2]``. Target
(issue 15): under 10 s for the HTML on two cores. The sample case is the one
``geoworkbench demo --no-gui`` builds (default scenario; built once into ``--demo-dir``, not
timed). The large case: 40 JPEG stills and 10 short H.264 videos, each video with its camera
and 45 bearings measured on its frames (450), and 50 intersections of bearing pairs; every
bearing's frame is cited, so the report decodes up to 480 frames. Wall time, best of
``--repeat``, with the machine's load average, since other processes inflate it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.geometry import geodesy  # noqa: E402
from analysis.geometry.geodesy import LatLon  # noqa: E402
from tests.synth.media_factory import make_jpeg, make_video  # noqa: E402
from workbench.case import create_case  # noqa: E402
from workbench.case.intake import import_file  # noqa: E402
from workbench.geodata import add_bearing, add_intersection, add_landmark  # noqa: E402
from workbench.report import build_report  # noqa: E402

CENTRE = LatLon(35.62, 36.55)
VIDEOS, STILLS, BEARINGS_PER_VIDEO, INTERSECTIONS = 10, 40, 45, 50
VIDEO_FRAMES = 48


def build_large_case(folder: Path) -> Path:
    """50 evidence files and 500 observations (see the module docstring)."""
    media = folder / "media"
    media.mkdir()
    case = create_case(folder / "large.gwcase", title="Large case (benchmark)")
    with case:
        for k in range(STILLS):
            path = make_jpeg(media / f"still_{k:02d}.jpg", (640, 480), (k * 6, 255 - k * 6, 90))
            import_file(case, path)
        bearing_ids: list[list[int]] = []
        for v in range(VIDEOS):
            path = make_video(media / f"video_{v:02d}.mp4", VIDEO_FRAMES + v, (320, 240), 12)
            evidence_id = import_file(case, path).id
            cam = geodesy.destination(CENTRE, v * 36.0, 2000.0)
            cam_id = add_landmark(case, f"camera {v}", cam.lat_deg, cam.lon_deg, kind="camera",
                                  evidence_id=evidence_id).result()  # fmt: skip
            to_centre = geodesy.inverse(cam, CENTRE).azimuth1_deg
            bearing_ids.append(
                [
                    add_bearing(
                        case,
                        cam_id,
                        (to_centre + 0.01 * b) % 360.0,
                        0.3,
                        evidence_id=evidence_id,
                        frame_index=b % VIDEO_FRAMES,
                        hfov_deg=50.0,
                    ).result()  # fmt: skip
                    for b in range(BEARINGS_PER_VIDEO)
                ]
            )
        for k in range(INTERSECTIONS):
            a, b = k % VIDEOS, (k + 3) % VIDEOS
            add_intersection(case, [bearing_ids[a][k % 45], bearing_ids[b][k % 45]]).result()
    return folder / "large.gwcase"


def _count(case_path: Path, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{case_path / 'case.sqlite'}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def _time_report(case_path: Path, out: Path, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = build_report(case_path, out)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--demo-dir", type=Path, default=None, help="reuse a built sample case")
    args = parser.parse_args()
    from workbench.demo import build_demo_case

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        demo_dir = args.demo_dir or tmp_path / "demo"
        demo_dir.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        demo = build_demo_case(demo_dir)
        print(f"sample case ready in {time.perf_counter() - t0:.1f} s (not timed below)")
        t0 = time.perf_counter()
        large = build_large_case(tmp_path)
        print(f"large case built in {time.perf_counter() - t0:.1f} s (not timed below): "
              f"{_count(large, 'evidence')} evidence files, {_count(large, 'observation')} "
              "observations")  # fmt: skip
        print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
        for name, path in (("sample", demo.case_path), ("large", large)):
            seconds, result = _time_report(path, tmp_path / f"report_{name}", args.repeat)
            size = result.html_path.stat().st_size
            print(
                f"{name}: report in {seconds:.2f} s (best of {args.repeat}); HTML "
                f"{size / 1e6:.1f} MB, {len(result.figures)} figures, verify "
                f"{'passed' if result.verify_ok else 'FAILED'}; target < 10 s: "
                f"{'met' if seconds < 10 else 'NOT met'}"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
