"""Benchmark: a map page with 5,000 features, from load() to painted, offscreen; and a large
case (10,000 hypotheses and 10,000 landmarks) opened in the map panel.

Run on demand (not a test): ``.venv/bin/python bench/bench_map.py [--features 5000]``;
``--large 10000`` runs the large case instead (issue 12: it took 6.7 s with a 570 ms stall of
the GUI thread; target under 2 s, no stall over 100 ms).

Large case: ``MapPanel.set_case`` to every layer drawn (two animation frames after the last
layer change), with the GUI thread's longest stall measured by a 10 ms QTimer, the web view
already created (starting Chromium is the same for any case). Best of ``--repeat``; the
machine's load average is printed with it, since other processes inflate both figures.

Target (issue 6): the page opens in the map view in under 2 s. Measured in one run, in the
same offscreen QWebEngineView (software rendering), one after the other:

- ours: a case with 60% points (landmarks, cameras, targets) and 40% bearing observations
  with a field of view (a ray and a wedge each), written to derived/map.html by
  ``workbench.mapdoc`` (canvas renderer, layers embedded as JSON, drawn by GW.init);
- reference: plain folium, the same FeatureCollections added as ``folium.GeoJson`` layers
  (its default SVG renderer and per-feature JavaScript), with folium's CDN assets replaced
  by the same inlined Leaflet so that neither page touches the network.

"Load to painted" is ``performance.now()`` (ms since navigation start) two animation frames
after the last layer was added; the wall time from ``load()`` to seeing that mark in Python
is printed too. Python-side costs (reading the layers, building the page) are separate lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.geometry import geodesy  # noqa: E402
from analysis.geometry.geodesy import LatLon  # noqa: E402
from tests.synth.large_case import populate_large  # noqa: E402
from workbench.case import create_case  # noqa: E402
from workbench.case.audit import utc_now_iso  # noqa: E402
from workbench.geolayers import build_layers  # noqa: E402
from workbench.mapdoc import leaflet_js, write_map_page  # noqa: E402

CENTRE = LatLon(35.62, 36.55)
MARKER_JS = (
    "requestAnimationFrame(function () { requestAnimationFrame(function () {"
    " window.GW = window.GW || {}; GW.renderedAtMs = performance.now(); }); });"
)


def populate(case, n_features: int) -> None:
    """60% points, 40% in ray+wedge pairs; one transaction (a bench, not an edit path)."""
    n_bearings = int(n_features * 0.4) // 2
    n_points = n_features - 2 * n_bearings
    now = utc_now_iso()

    def do(conn):
        kinds = ("landmark", "camera", "target")
        for k in range(n_points):
            p = geodesy.destination(CENTRE, (k * 137.5) % 360.0, 50.0 + 3.0 * k)
            conn.execute(
                "INSERT INTO landmark (name, kind, lat_deg, lon_deg, created_at_utc)"
                " VALUES (?, ?, ?, ?, ?)",
                (f"point {k}", kinds[k % 3], p.lat_deg, p.lon_deg, now),
            )
        for k in range(n_bearings):
            p = geodesy.destination(CENTRE, (k * 97.0) % 360.0, 200.0 + 5.0 * k)
            inputs = {
                "camera_id": None,
                "camera_lat_deg": p.lat_deg,
                "camera_lon_deg": p.lon_deg,
                "azimuth_deg": (k * 13.0) % 360.0,
                "sigma_deg": 0.5,
                "hfov_deg": 40.0,
                "view_azimuth_deg": None,
                "range_m": 1500.0,
                "target_id": None,
            }
            conn.execute(
                "INSERT INTO observation (kind, inputs_json, result_json, created_at_utc)"
                " VALUES ('bearing', ?, '{}', ?)",
                (json.dumps(inputs), now),
            )

    case.write_sync(do)


def reference_page(layers: dict, out: Path) -> Path:
    import folium
    from branca.element import Element

    fmap = folium.Map(location=(CENTRE.lat_deg, CENTRE.lon_deg), zoom_start=13, tiles=None)
    fmap.default_js, fmap.default_css = [], []
    root = fmap.get_root()
    raw = Element("")
    raw.render = lambda **kw: f"<script>{leaflet_js()}</script>"  # braces: not a template
    root.header.add_child(raw, name="leaflet_js")
    for layer_id, fc in layers.items():
        if fc["features"]:
            folium.GeoJson(fc, name=layer_id).add_to(fmap)
    marker = Element("")
    marker.render = lambda **kw: f"<script>{MARKER_JS}</script>"
    root.html.add_child(marker, name="marker")
    root.save(str(out))
    return out


def measure_load(view, page, path: Path, app) -> tuple[float, float]:
    """(ms from navigation start to painted, wall seconds from load() to seeing it)."""
    from PySide6.QtCore import QUrl

    finished: list[bool] = []
    page.loadFinished.connect(finished.append)
    t0 = time.perf_counter()
    view.load(QUrl.fromLocalFile(str(path)))
    deadline = t0 + 60.0
    try:
        while not finished and time.perf_counter() < deadline:
            app.processEvents()
        box: list = []
        while time.perf_counter() < deadline:  # the old page may answer until this one commits
            box.clear()
            page.runJavaScript("window.GW && GW.renderedAtMs ? GW.renderedAtMs : 0", 0, box.append)
            while not box and time.perf_counter() < deadline:
                app.processEvents()
            if box and box[0]:
                page.runJavaScript(
                    "JSON.stringify([window.GW && GW.initStartMs, window.GW && GW.initEndMs, "
                    "performance.getEntriesByType('navigation')[0].domInteractive, "
                    "window.GW && GW.timings])",
                    0,
                    lambda r: print("  GW.init start/end, domInteractive (ms), per layer:", r),
                )
                return float(box[0]), time.perf_counter() - t0
            time.sleep(0.005)
    finally:
        page.loadFinished.disconnect(finished.append)
    raise TimeoutError(f"{path} was not painted within 60 s")


def open_in_panel(app, panel, case) -> tuple[float, float]:
    """(seconds from set_case to every layer drawn, longest GUI-thread stall in ms)."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    ticker, timer, stall = QElapsedTimer(), QTimer(), [0.0]
    timer.setInterval(10)
    timer.timeout.connect(lambda: stall.__setitem__(0, max(stall[0], ticker.restart())))
    loaded: list[bool] = []
    panel.page_loaded.connect(loaded.append)
    t0 = time.perf_counter()
    ticker.start()
    timer.start()
    panel.set_case(case)
    deadline = t0 + 120.0
    while True not in loaded and time.perf_counter() < deadline:
        app.processEvents()
    drawn: list = []
    asked = 0.0
    code = "window.GW && (GW.drawnAtMs !== undefined ? GW.drawnAtMs : GW.renderedAtMs)"
    while not (drawn and drawn[-1]) and time.perf_counter() < deadline:
        if time.perf_counter() - asked > 0.02:
            asked = time.perf_counter()
            panel.run_js(code, drawn.append)
        app.processEvents()
    elapsed = time.perf_counter() - t0
    timer.stop()
    panel.page_loaded.disconnect(loaded.append)
    return elapsed, stall[0]


def bench_large(app, n: int, repeat: int) -> None:
    from ui.map.panel import MapPanel

    with tempfile.TemporaryDirectory() as tmp:
        case = create_case(Path(tmp) / "large.gwcase")
        populate_large(case, n)
        panel = MapPanel()
        panel.resize(1100, 800)
        panel.show()
        panel.ensure_view()
        end = time.perf_counter() + 1.0
        while time.perf_counter() < end:  # Chromium starts
            app.processEvents()
        runs = []
        for _ in range(repeat):
            panel.set_case(None)
            end = time.perf_counter() + 0.5
            while time.perf_counter() < end:
                app.processEvents()
            runs.append(open_in_panel(app, panel, case))
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        best = min(r[0] for r in runs)
        stall = min(r[1] for r in runs)
        print(f"large case: {n:,} hypotheses + {n:,} landmarks, map panel 1100 x 800")
        shown = ", ".join(f"{a:.2f}/{b:.0f}" for a, b in runs)
        print(f"runs (s to drawn / longest GUI stall ms): {shown}")
        print(
            f"best: {best:.2f} s (target < 2 s: {'met' if best < 2 else 'MISSED'}), "
            f"least stall {stall:.0f} ms (target < 100: {'met' if stall < 100 else 'MISSED'})"
        )
        print(f"machine: {os.cpu_count()} cores, load average {load}")
        panel.shutdown()
        import shiboken6

        shiboken6.delete(panel)
        case.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--large",
        type=int,
        default=0,
        metavar="N",
        help="open a case of N hypotheses and N landmarks in the map panel",
    )
    args = parser.parse_args()

    from ui.environment import prepare_environment

    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from ui.map.page import MapPage
    from ui.map.tile_scheme import RequestGuard

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if args.large:
        bench_large(app, args.large, args.repeat)
        return 0
    from PySide6.QtWebEngineCore import QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView

    with tempfile.TemporaryDirectory() as tmp:
        case = create_case(Path(tmp) / "bench.gwcase")
        populate(case, args.features)
        t = time.perf_counter()
        layers = build_layers(case.read())
        t_layers = time.perf_counter() - t
        count = sum(len(fc["features"]) for fc in layers.values())
        t = time.perf_counter()
        ours = write_map_page(case, layers)
        t_page = time.perf_counter() - t
        ref = reference_page(layers, Path(tmp) / "reference.html")

        view = QWebEngineView()
        profile = QWebEngineProfile()  # deleted after the view and its page
        guard = RequestGuard(profile)
        profile.setUrlRequestInterceptor(guard)
        page = MapPage(profile, view)
        view.setPage(page)
        view.resize(1200, 800)
        view.show()
        results: dict[str, list[tuple[float, float]]] = {"ours": [], "reference": []}
        for _ in range(args.repeat):
            for name, path in (("ours", ours), ("reference", ref)):
                guard.allow_page(path)
                page.page_file = str(path.resolve())
                results[name].append(measure_load(view, page, path, app))
        remote = [r.url for r in guard.seen() if r.scheme in ("http", "https")]
        errors = [m.message for m in page.console if m.level == 2]
        per_layer = ", ".join(
            f"{k} {len(v['features'])}" for k, v in layers.items() if v["features"]
        )
        print(f"features: {count} ({per_layer})")
        size_ours, size_ref = ours.stat().st_size / 1e6, ref.stat().st_size / 1e6
        print(
            f"python: build layers {t_layers:.2f} s, write page {t_page:.2f} s "
            f"({size_ours:.1f} MB); reference page {size_ref:.1f} MB"
        )
        for name, runs in results.items():
            best = min(r[0] for r in runs)
            wall = min(r[1] for r in runs)
            print(
                f"{name:9s}: load to painted {best / 1000:.2f} s (best of {len(runs)}; "
                f"all {', '.join(f'{r[0] / 1000:.2f}' for r in runs)}), wall {wall:.2f} s"
            )
        ratio = min(r[0] for r in results["reference"]) / min(r[0] for r in results["ours"])
        ours_best = min(r[0] for r in results["ours"]) / 1000
        print(
            f"ratio reference/ours: {ratio:.2f}x; target < 2 s: "
            f"{'met' if ours_best < 2.0 else 'MISSED'} ({ours_best:.2f} s)"
        )
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        print(f"machine: {os.cpu_count()} cores, load average {load} (other work inflates times)")
        print(f"http(s) requests seen: {len(remote)}; console errors: {len(errors)} {errors[:3]}")
        view.close()
        import shiboken6

        shiboken6.delete(view)  # the page (its child) goes before the profile
        shiboken6.delete(profile)
        case.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
