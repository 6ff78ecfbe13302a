"""Sun positions per second and the time of the inverse solves (run on demand, not a test).

    .venv/bin/python bench/bench_sun.py [--n 200000] [--pvlib-python /tmp/pvlib-venv/bin/python]

Ours: ``analysis.sun.spa.sun_positions`` (NREL SPA, NumPy, one place over N instants).
References measured in the same run: pvlib's NumPy SPA (``pvlib.solarposition.spa_python``,
Holmgren et al.), run in a throwaway virtual environment given by ``--pvlib-python`` (pvlib is
not a project dependency; make one with ``python3 -m venv /tmp/pvlib-venv &&
/tmp/pvlib-venv/bin/pip install pvlib``), which also gives the largest difference between the
two; and the scenario's scalar NOAA sun (``workbench.scenario.sun``) as the plain-Python floor.
Ours is timed twice: on instants scattered over ten years (the periodic series at every
instant) and on one day every second (the series on an hourly grid, interpolated).
Then the whole-day time solve (SPA every 15 s plus the interval search) and a place band.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.sun.place_from_shadows import PlaceShadow, place_from_shadows  # noqa: E402
from analysis.sun.spa import sun_positions  # noqa: E402
from analysis.sun.time_from_shadows import (  # noqa: E402
    SunMeasurement,
    day_grid,
    solve_on_grid,
    time_from_shadows,
)
from workbench.scenario.sun import solar_position  # noqa: E402

LAT, LON = 35.62, 36.55
T0 = datetime(2016, 1, 1, tzinfo=UTC).timestamp()

PVLIB_SCRIPT = """
import json, sys, time
import numpy as np, pandas as pd
from pvlib import solarposition
t = np.load(sys.argv[1])
idx = pd.to_datetime(t, unit="s", utc=True)
best = None
for _ in range(3):
    s = time.perf_counter()
    out = solarposition.spa_python(idx, {lat}, {lon}, altitude=0, pressure=101000,
                                   temperature=10, delta_t=None, how="numpy")
    best = min(best or 1e9, time.perf_counter() - s)
np.savez(sys.argv[2], az=out["azimuth"].to_numpy(), el=out["apparent_elevation"].to_numpy())
import pvlib
print(json.dumps({{"seconds": best, "version": pvlib.__version__}}))
"""


def run_pvlib(py: Path, t: np.ndarray) -> tuple[dict, dict]:
    """Time pvlib's NumPy SPA on ``t`` in its own interpreter; its timing and positions."""
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "t.npy", t)
        script = PVLIB_SCRIPT.format(lat=LAT, lon=LON)
        out = subprocess.run(
            [str(py), "-c", script, str(Path(tmp) / "t.npy"), str(Path(tmp) / "o.npz")],
            capture_output=True,
            text=True,
            check=True,
        )
        with np.load(Path(tmp) / "o.npz") as ref:
            return json.loads(out.stdout.strip().splitlines()[-1]), dict(ref)


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--pvlib-python", default="/tmp/pvlib-venv/bin/python")
    args = ap.parse_args()
    rng = np.random.default_rng(17)
    t = np.sort(T0 + rng.uniform(0, 10 * 365 * 86400, args.n)).round()

    ours_s = best_of(lambda: sun_positions(t, LAT, LON))
    ours = sun_positions(t, LAT, LON)
    print(
        f"ours (SPA, NumPy)      {args.n / ours_s:12,.0f} positions/s  "
        f"({ours_s:.3f} s for {args.n})"
    )

    day_t = T0 + np.arange(86400.0)
    day_s = best_of(lambda: sun_positions(day_t, LAT, LON))
    print(f"ours, one day each second {86400 / day_s:9,.0f} positions/s  (hourly ephemeris grid)")

    n_scalar = 20_000
    when = [datetime.fromtimestamp(x, UTC) for x in t[:n_scalar]]
    noaa_s = best_of(lambda: [solar_position(w, LAT, LON) for w in when], repeat=1)
    print(
        f"scenario NOAA (scalar) {n_scalar / noaa_s:12,.0f} positions/s  "
        f"(ours is {(args.n / ours_s) / (n_scalar / noaa_s):.1f}x)"
    )

    py = Path(args.pvlib_python)
    if py.exists():
        for label, times, mine, mine_s in (
            ("scattered", t, ours, args.n / ours_s),
            ("one day  ", day_t, sun_positions(day_t, LAT, LON), 86400 / day_s),
        ):
            info, ref = run_pvlib(py, times)
            rate = times.size / info["seconds"]
            up = ref["el"] > 1
            d_az = np.abs((mine.azimuth_deg - ref["az"] + 180) % 360 - 180)[up].max()
            d_el = np.abs(mine.apparent_elevation_deg - ref["el"])[up].max()
            print(
                f"pvlib {info['version']} spa_python, {label} {rate:10,.0f} positions/s  "
                f"(ours is {mine_s / rate:.2f}x); ours - pvlib: azimuth {d_az:.1e} deg, "
                f"apparent elevation {d_el:.1e} deg"
            )
    else:
        print(f"pvlib: no interpreter at {py}; see the module notes to make one")

    day = date(2016, 10, 26)
    m = SunMeasurement(azimuth_deg=147.7, azimuth_sigma_deg=1.0, elevation_deg=35.7)
    whole = best_of(lambda: time_from_shadows(day, LAT, LON, m))
    grid = day_grid(day, LAT, LON)
    solve = best_of(lambda: solve_on_grid(grid, m), repeat=20)
    print(f"time from shadows, whole day (5,761 SPA instants + search)  {whole * 1e3:8.1f} ms")
    print(f"  the search alone on a precomputed day                       {solve * 1e3:8.2f} ms")
    when = datetime(2016, 10, 26, 7, 32, tzinfo=UTC)
    ring = best_of(lambda: place_from_shadows([PlaceShadow(when, 35.7, 1.0)]), repeat=1)
    arc = best_of(lambda: place_from_shadows([PlaceShadow(when, 35.7, 1.0, 147.7, 1.0)]), repeat=1)
    print(f"place band, ratio only (a ring round the globe)               {ring * 1e3:8.0f} ms")
    print(f"place band, ratio and azimuth (an arc)                        {arc * 1e3:8.0f} ms")


if __name__ == "__main__":
    main()
