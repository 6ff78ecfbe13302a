"""Python's cyclic garbage collector runs on the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation's threshold is
crossed. In a worker (a job drawing a matplotlib figure, decoding video) it can finalise Qt
objects caught in reference cycles: their C++ side is then destroyed outside the thread that
owns it, which crashes the process later, in the GUI thread (seen in full GUI test runs: a
segmentation fault in the event loop while a worker drew the sun figure).

So once a job can run, automatic collection is switched off and the GUI thread collects on a
timer, each generation when its threshold says so, as the interpreter itself would. A full
collection (the oldest generation: everything) is also held to at most 1% of the time and one
per ``MIN_FULL_INTERVAL_S``: its cost grows with the heap (46 ms for the demo session's 150,000
objects), and the interpreter's own rule, which spaces them out by how many objects survived,
is not open to Python. Reference counting still frees everything that is not in a cycle at
once, on any thread.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

CHECK_INTERVAL_MS = 200
MIN_FULL_INTERVAL_S = 10.0
FULL_SHARE_MAX = 0.01  # of the GUI thread's time spent in full collections

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects on the GUI thread every ``CHECK_INTERVAL_MS`` (module doc)."""

    def __init__(self, app: QCoreApplication, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(app)
        self.thresholds = gc.get_threshold()
        self._clock = clock
        self._next_full = clock() + MIN_FULL_INTERVAL_S
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(CHECK_INTERVAL_MS)
        self.destroyed.connect(lambda *_: gc.enable())  # no GUI thread left to collect

    def collect_due(self) -> int | None:
        """Collect the oldest generation whose count is over its threshold; return it (None
        when nothing was due)."""
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return None
        generation = 0
        for older in (1, 2):
            if counts[older] > self.thresholds[older]:
                generation = older
        if generation == 2 and self._clock() < self._next_full:
            generation = 1  # a full collection waits its turn (module doc)
        started = self._clock()
        gc.collect(generation)
        if generation == 2:
            took = self._clock() - started
            self._next_full = started + max(MIN_FULL_INTERVAL_S, took / FULL_SHARE_MAX)
        return generation


def collect_on_gui_thread() -> GuiThreadCollector | None:
    """Switch automatic collection off and start the GUI thread's collector (one per
    application); None without a QApplication, or off the GUI thread (nothing changes)."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return None
    if _collector is None or not shiboken6.isValid(_collector) or _collector.parent() is not app:
        _collector = GuiThreadCollector(app)
    gc.disable()
    return _collector
