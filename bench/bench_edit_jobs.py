"""Benchmark: what one edit costs in the main window, and how long undo can stall the GUI.

Run on demand (not a test): ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_edit_jobs.py``.

1. "Add bearing" in the bearing tool of the real main window, with the map dock shown and a
   case of 20 photos and 600 audit rows: the jobs started through the JobRunner (``run``) and
   the writer futures it watches (``watch``) from the press until the window is idle again,
   by title, and the milliseconds from the press until the last of them has ended.
2. Undo with a big write queued: a write of 200,000 frame-table-like rows (plus a pause, so it
   lasts well over a second) is queued, a landmark is deleted on the map (its write waits
   behind the big one) and Ctrl+Z pressed at once. A timer that should tick every 10 ms gives
   the longest stall of the GUI thread until the landmark is back.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.environment import prepare_environment  # noqa: E402

prepare_environment()

from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.test_bearing_tool import make_scene, setup_case  # noqa: E402
from ui.case.main_window import MainWindow  # noqa: E402
from workbench import geodata, geodata_records  # noqa: E402
from workbench.case import audit, create_case  # noqa: E402
from workbench.case.intake import import_file  # noqa: E402

BIG_ROWS = 200_000
BIG_MIN_S = 1.5


def build(path: Path, tmp: Path) -> dict:
    scene = make_scene(0.0)
    rng = np.random.default_rng(0)
    with create_case(path, title="Bench") as case:
        ids = setup_case(case, tmp, scene)
        for i in range(20):
            f = tmp / f"p{i:02d}.jpg"
            Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(f)
            import_file(case, f)
        for k in range(300):  # a long audit log: 600 rows
            mark = geodata.add_landmark(case, f"m{k}", 35.0 + k * 1e-4, 36.0).result()
            geodata.delete_landmark(case, mark).result()
    ids["scene"] = scene
    return ids


def wait(app: QApplication, until, timeout_s: float = 30.0) -> None:
    end = time.perf_counter() + timeout_s
    while not until():
        if time.perf_counter() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.001)


def idle(app: QApplication, window: MainWindow, quiet_s: float = 0.8) -> None:
    """Until no job has run for ``quiet_s``."""
    since = time.perf_counter()
    while time.perf_counter() - since < quiet_s:
        app.processEvents()
        time.sleep(0.001)
        if window.jobs.active_count:
            since = time.perf_counter()


def count_jobs(window: MainWindow) -> tuple[Counter, list[float]]:
    """Wrap the window's JobRunner: titles of the jobs started, times at which jobs ended."""
    started: Counter = Counter()
    ended: list[float] = []
    runner = window.jobs
    run, watch = runner.run, runner.watch

    def counted_run(title, fn, **kw):
        started[f"run: {title}"] += 1
        return run(title, fn, **kw)

    def counted_watch(future, **kw):
        started["watch: writer future"] += 1
        return watch(future, **kw)

    runner.run, runner.watch = counted_run, counted_watch
    runner.job_ended.connect(lambda _id: ended.append(time.perf_counter()))
    return started, ended


def service_of(window: MainWindow):
    """Where the window's geodata edits go (the map panel before the geodata service)."""
    return getattr(window, "geodata", None) or window.map_panel


def bearing_edit(app: QApplication, window: MainWindow, ids: dict) -> tuple[Counter, float]:
    scene = ids["scene"]
    tool = window.geometry_tools.bearing
    window.geometry_tools.show_bearing_tool()
    window.evidence_panel.select(ids["evidence"])
    wait(app, lambda: tool.frame is not None and tool.camera_combo.count() == 1)
    tool.select_camera(ids["camera"]), tool.select_reference(ids["reference"])
    tool.set_pixel("reference", scene.reference_px)
    tool.set_pixel("target", scene.target_px)
    idle(app, window)
    started, ended = count_jobs(window)
    t0 = time.perf_counter()
    tool.add_button.click()
    wait(app, lambda: len(geodata_records.list_observations(window.case.read(), "bearing")) == 1)
    idle(app, window)
    return started, (max(ended) - t0) * 1000.0 if ended else 0.0


def big_write(case) -> list[float]:
    """Queue a frame-table-sized write; returns a list that gets its end time."""
    done: list[float] = []

    def fn(conn) -> None:
        t0 = time.perf_counter()
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_frames (i, pts, md5)")
        conn.executemany(
            "INSERT INTO bench_frames VALUES (?, ?, ?)",
            ((i, i * 1001, f"{i:032x}") for i in range(BIG_ROWS)),
        )
        conn.execute("DROP TABLE bench_frames")
        time.sleep(max(0.0, BIG_MIN_S - (time.perf_counter() - t0)))
        done.append(time.perf_counter())

    case.write(fn)
    return done


def undo_stall(app: QApplication, window: MainWindow, ids: dict) -> tuple[float, bool]:
    case = window.case
    mark = geodata.add_landmark(case, "To delete", 35.63, 36.53).result()
    idle(app, window)
    stall, ticker, timer = [0.0], QElapsedTimer(), QTimer()
    timer.setInterval(10)

    def tick() -> None:
        if ticker.isValid():
            stall[0] = max(stall[0], ticker.elapsed())
        ticker.restart()

    timer.timeout.connect(tick)
    timer.start()
    wait(app, lambda: ticker.isValid())
    big_done = big_write(case)
    service_of(window).delete_point(mark)
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    restored_at: list[float] = []

    def restored() -> bool:
        rows = audit.entries(case.read(), limit=3)
        back = any(e.action == "landmark.restore" and e.target == f"landmark:{mark}" for e in rows)
        if back and not restored_at:
            restored_at.append(time.perf_counter())
        return bool(restored_at)

    wait(app, lambda: bool(big_done) and restored())
    idle(app, window)
    timer.stop()
    return stall[0], restored_at[0] >= big_done[0]


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gwcase"
        ids = build(path, Path(tmp))
        window = MainWindow()
        window.show()
        window.open_case_path(path)
        wait(app, lambda: window.evidence_panel.count() == 21)
        window.map_dock.raise_()
        wait(app, lambda: window.map_panel.loaded)
        idle(app, window)
        started, ms = bearing_edit(app, window, ids)
        print(f"one bearing edit: {sum(started.values())} jobs, {ms:.0f} ms to idle")
        for title, n in sorted(started.items()):
            print(f"  {n} x {title}")
        stall_ms, after = undo_stall(app, window, ids)
        print(
            f"undo with a {BIG_ROWS:,}-row write queued: longest GUI-thread stall "
            f"{stall_ms:.0f} ms; the undo landed after the big write: {after}"
        )
        window.close_case()
        window.close()


if __name__ == "__main__":
    main()
