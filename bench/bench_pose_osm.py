"""Benchmark: the full pose solve, a ground point's ellipse and its coverage, and the OSM
candidate search (index build and query apart), each beside a reference measured in the same
run.

Run on demand (not a test): ``.venv/bin/python bench/bench_pose_osm.py [--trials 500]``.

- Pose: the scenario's second camera (1 km from the town, 1920 x 1080, 50 deg) from 20
  control points clicked with 0.7 px noise, field of view and k1 unknown. Reference: OpenCV's
  ``solvePnP`` (iterative, Levenberg-Marquardt) with the field of view *given*, a smaller
  problem (6 unknowns instead of 8).
- Ground point: the strike pixel on the scenario's ground with its 95% ellipse; coverage of
  the truth over ``--trials`` noisy solves.
- OSM: the largest extract at hand (``../shared/data/osm/liechtenstein.osm.pbf``): the index
  built from nothing, opened from the cache, and a query; reference: one plain osmium pass
  over the file with node locations (what any search without an index must do each time).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.geometry.geodesy import LatLon  # noqa: E402
from analysis.geometry.pose import solve_pose  # noqa: E402
from analysis.geometry.pose_ground import project_pixel  # noqa: E402
from tests.analysis.test_pose import SIZE, cameras, control_points, pixels  # noqa: E402
from tests.analysis.test_pose_ground import plane  # noqa: E402
from tests.workbench.test_scenario_commands import TINY  # noqa: E402
from workbench.osm.index import open_index  # noqa: E402
from workbench.osm.run import OsmQuery, run_search  # noqa: E402
from workbench.paths import SHARED_DATA_DIR  # noqa: E402
from workbench.scenario import generate_scenario  # noqa: E402

EXTRACT = SHARED_DATA_DIR / "osm" / "liechtenstein.osm.pbf"


def timed(fn, repeat: int = 1):
    t0 = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return (time.perf_counter() - t0) / repeat, out


def bench_pose(truth: dict, trials: int) -> None:
    camera = cameras(truth)["second"]
    rng = np.random.default_rng(1)
    pts = control_points(truth, camera, noise_px=0.7, rng=rng)
    t_ours, _ = timed(lambda: solve_pose(pts, SIZE, sigma_px=0.7), 20)
    f = (SIZE[0] / 2) / np.tan(np.radians(camera["hfov_deg"]) / 2)
    k = np.array([[f, 0, (SIZE[0] - 1) / 2], [0, f, (SIZE[1] - 1) / 2], [0, 0, 1.0]])
    pose = solve_pose(pts, SIZE, sigma_px=0.7)
    frame = pose.frame()
    obj = np.array([frame.to_enu(LatLon(p.lat_deg, p.lon_deg), p.height_m) for p in pts])
    img = np.array([(p.x_px, p.y_px) for p in pts])
    t_cv, _ = timed(lambda: cv2.solvePnP(obj, img, k, None, flags=cv2.SOLVEPNP_ITERATIVE), 20)
    print(f"pose solve, {len(pts)} points, fov + k1 unknown: {t_ours * 1000:.1f} ms")
    print(f"  cv2.solvePnP (fov given): {t_cv * 1000:.2f} ms; ratio {t_ours / t_cv:.0f}x")
    strike = truth["landmarks"]["strike_point"]
    x, y = pixels(camera, truth, np.array([strike["enu_m"]]))[0]
    ground = plane(truth)
    t_g, g = timed(lambda: project_pixel(pose, x, y, ground, pixel_sigma_px=0.7), 5)
    e = g.ellipse
    size = f"{e.semi_major_m:.1f} x {e.semi_minor_m:.1f} m"
    print(f"ground point + ellipse: {t_g * 1000:.1f} ms ({size})")
    inside = 0
    for _ in range(trials):
        p = solve_pose(
            control_points(truth, camera, noise_px=0.7, rng=rng),
            SIZE,
            sigma_px=0.7,
            estimate_k1=False,
        )
        g = project_pixel(
            p, x + rng.normal(0, 0.7), y + rng.normal(0, 0.7), ground, pixel_sigma_px=0.7
        )
        fit = p.frame()
        d = np.subtract(
            fit.to_enu(LatLon(strike["lat_deg"], strike["lon_deg"]), strike["height_m"])[:2],
            fit.to_enu(g.position, g.height_m)[:2],
        )
        inside += d @ np.linalg.solve(np.array(g.covariance_en_m2), d) <= 5.991
    print(f"95% ellipse coverage over {trials} noisy solves: {inside / trials:.1%}")


def bench_osm() -> None:
    import osmium

    if not EXTRACT.is_file():
        print(f"no {EXTRACT}: OSM part skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        t_ref, n = timed(
            lambda: sum(1 for _ in osmium.FileProcessor(str(EXTRACT)).with_locations())
        )
        t_build, index = timed(lambda: open_index(EXTRACT, Path(tmp)))
        t_open, _ = timed(lambda: open_index(EXTRACT, Path(tmp)), 3)
        query = OsmQuery.parse(
            "amenity=school", ["amenity=place_of_worship:300", "man_made=tower:800"]
        )
        _, outcome = timed(lambda: run_search(EXTRACT, query, Path(tmp)))
        t_query, _ = timed(lambda: run_search(EXTRACT, query, Path(tmp)).query_s, 5)
    size = EXTRACT.stat().st_size / 1e6
    tagged = f"{index.feature_count:,} tagged features"
    print(f"OSM {EXTRACT.name} ({size:.1f} MB, {n:,} objects, {tagged})")
    print(f"  reference, one osmium pass with locations: {t_ref:.2f} s")
    print(f"  index build: {t_build:.2f} s ({t_build / t_ref:.1f}x one pass)")
    print(f"  index from the cache (hash + open): {t_open * 1000:.0f} ms")
    schools = f"{outcome.anchors_total} schools, 2 constraints"
    print(f"  query ({schools}): {outcome.query_s * 1000:.1f} ms")
    print(f"  whole search from the cache: {t_query * 1000:.0f} ms ({t_ref / t_query:.0f}x faster")
    print("  than the one pass a search without an index needs)")
    best = outcome.candidates[0]
    what = f"{best.anchor.osm_type} {best.anchor.osm_id}"
    print(f"  best: {best.anchor.tag('name')} ({what}), score {best.score:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = generate_scenario(Path(tmp), seed=3, config=TINY)
        truth = json.loads(result.truth_path.read_text(encoding="utf-8"))
    bench_pose(truth, args.trials)
    bench_osm()


if __name__ == "__main__":
    main()
