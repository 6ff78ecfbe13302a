"""Benchmark: the Sun panel's recompute, and how long the GUI thread stalls meanwhile.

Run on demand: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_sun_panel.py [N]``.
Builds a case with N shadow observations (default 10, nadir shadows at Hass on 2016-10-26),
shows the Sun panel at 1366 x 180 (its size under the map at 1366 x 768), then changes the
local time five times and reports, per change, the time until the view is shown (the day, every
shadow's intervals, the place band, the figure rendered in a worker) and the longest stall of
the GUI thread meanwhile (a timer that should tick every 10 ms; the house rule is 100 ms),
beside the longest stall over two idle seconds (the machine's own noise).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.environment import prepare_environment  # noqa: E402

prepare_environment()

from PySide6.QtCore import QDate, QElapsedTimer, QTime, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from analysis.sun.spa import sun_at  # noqa: E402
from ui.jobs import JobRunner  # noqa: E402
from ui.sun.panel import SunPanel  # noqa: E402
from workbench.case import create_case  # noqa: E402
from workbench.shadow_record import add_shadow  # noqa: E402

PLACE = (35.62, 36.55)
START = datetime(2016, 10, 26, 5, 0, tzinfo=UTC)


def build(path: Path, n: int):
    case = create_case(path, analyst="bench")
    for k in range(n):
        when = START + timedelta(minutes=40 * k)
        sun = sun_at(when, *PLACE)
        el = float(sun.apparent_elevation_deg)
        add_shadow(case, {
            "object_id": None, "position": list(PLACE),
            "shadow_azimuth_deg": (float(sun.azimuth_deg) + 180) % 360,
            "azimuth_sigma_deg": 1.0, "length_ratio": 1 / math.tan(math.radians(el)),
            "ratio_sigma": 0.05, "date": "2016-10-26", "captured_at_utc": None,
        }).result()  # fmt: skip
    return case


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        case = build(Path(tmp) / "bench.gwcase", n)
        panel = SunPanel(JobRunner())
        panel.resize(1366, 180)
        panel.show()
        panel.date_edit.setDate(QDate(2016, 10, 26))
        panel.zone_combo.setCurrentText("Asia/Damascus")
        panel.set_case(case)
        stall = {"last": time.perf_counter(), "worst": 0.0}

        def tick() -> None:
            now = time.perf_counter()
            stall["worst"] = max(stall["worst"], now - stall["last"])
            stall["last"] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        timer.start()
        shown = {"n": 0}
        panel.view_shown.connect(lambda: shown.__setitem__("n", shown["n"] + 1))
        deadline = time.perf_counter() + 60
        while shown["n"] == 0 and time.perf_counter() < deadline:
            app.processEvents()
        print(f"{n} shadows; panel {panel.width()} x {panel.height()}")
        stall["worst"], stall["last"], idle = 0.0, time.perf_counter(), QElapsedTimer()
        idle.start()
        while idle.elapsed() < 2000:  # the machine's own noise: nothing is computed
            app.processEvents()
        print(f"  idle 2 s: longest GUI stall {stall['worst'] * 1000:.0f} ms")
        for hour in (8, 10, 12, 14, 16):
            before, clock = shown["n"], QElapsedTimer()
            stall["worst"], stall["last"] = 0.0, time.perf_counter()
            clock.start()
            panel.time_edit.setTime(QTime(hour, 0))
            while shown["n"] == before and clock.elapsed() < 60_000:
                app.processEvents()
            print(f"  {hour:02d}:00 local: shown after {clock.elapsed()} ms "
                  f"(debounce {150} ms included); longest GUI stall "
                  f"{stall['worst'] * 1000:.0f} ms")  # fmt: skip
        timer.stop()
        panel.close()
        case.close()


if __name__ == "__main__":
    main()
