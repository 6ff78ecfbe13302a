"""Benchmark: time from "open case" to a filled evidence list in the real main window.

Run on demand: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui_open.py [N]``.
Builds a case with N evidence (default 1,000 small photos), then opens it five times in the
main window and reports the time until the list is filled and until the thumbnails are shown,
and the longest stall of the GUI thread meanwhile (a timer that should tick every 10 ms).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.environment import prepare_environment  # noqa: E402

prepare_environment()

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.case.main_window import MainWindow  # noqa: E402
from workbench.case import create_case  # noqa: E402
from workbench.case.intake import import_file  # noqa: E402


def build(path: Path, count: int) -> None:
    rng = np.random.default_rng(0)
    src = path.parent / "src"
    src.mkdir()
    with create_case(path) as case:
        for i in range(count):
            f = src / f"p{i:04d}.jpg"
            Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(f)
            import_file(case, f)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.gwcase"
        build(path, count)
        window = MainWindow()
        window.show()
        results = []
        for _ in range(5):
            stall = [0.0]
            ticker = QElapsedTimer()
            timer = QTimer()
            timer.setInterval(10)

            def tick(ticker=ticker, stall=stall) -> None:
                if ticker.isValid():
                    stall[0] = max(stall[0], ticker.elapsed())
                ticker.restart()

            timer.timeout.connect(tick)
            timer.start()
            t0 = time.perf_counter()
            window.open_case_path(path)
            while window.evidence_panel.count() < count:
                app.processEvents()
            listed = time.perf_counter() - t0
            while window.jobs.active_count:
                app.processEvents()
            done = time.perf_counter() - t0
            timer.stop()
            results.append((listed, done, stall[0]))
            window.close_case()
        for listed, done, stall_ms in results:
            print(
                f"{count} evidence: list filled {listed * 1000:.0f} ms, thumbnails and "
                f"detail {done * 1000:.0f} ms, longest GUI-thread stall {stall_ms:.0f} ms"
            )
        window.close()


if __name__ == "__main__":
    main()
