"""Cycles are collected on the GUI thread, never in a worker that happens to allocate."""

from __future__ import annotations

import gc
import threading

import shiboken6
from PySide6.QtWidgets import QApplication

import ui.gui_gc as gui_gc
from ui.gui_gc import collect_on_gui_thread
from ui.jobs import JobRunner

TIMEOUT = 5000


class _Finalised:
    """Part of a reference cycle; records the thread that finalised it."""

    def __init__(self, seen: list[int]) -> None:
        self.seen = seen
        self.me = self  # the cycle: only the collector frees it

    def __del__(self) -> None:
        self.seen.append(threading.get_ident())


def _cycle_then_allocate_in_a_worker(kept: list) -> list[int]:
    """Make a garbage cycle here, then allocate far past the first generation's threshold
    in a worker thread (kept alive in ``kept``): an automatic collection would run there."""
    seen: list[int] = []
    _Finalised(seen)
    worker = threading.Thread(target=lambda: kept.extend([] for _ in range(50_000)))
    worker.start()
    worker.join()
    return seen


def test_a_cycle_is_freed_by_the_gui_thread_not_by_the_allocating_worker(qtbot):
    gui = threading.get_ident()
    try:
        gc.collect()
        gc.enable()  # the control: the interpreter's own collection
        seen = _cycle_then_allocate_in_a_worker([])
        assert seen and seen[0] != gui, "the control did not collect in the worker"
        runner = JobRunner()  # a job can run: collection moves to the GUI thread
        assert collect_on_gui_thread() is not None and not gc.isenabled()
        kept: list = []
        seen = _cycle_then_allocate_in_a_worker(kept)
        assert seen == []  # nothing was collected in the worker
        qtbot.waitUntil(lambda: seen == [gui], timeout=TIMEOUT)  # the GUI thread's timer
        del runner, kept
    finally:
        gc.enable()


def test_off_the_gui_thread_nothing_changes(qtbot):
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(collect_on_gui_thread()))
    worker.start()
    worker.join()
    assert got == [None]


def test_full_collections_are_spaced_out_by_their_cost(qtbot, monkeypatch):
    """A full collection at most once in MIN_FULL_INTERVAL_S, and at most 1% of the time:
    one that took 0.5 s waits 50 s for the next; meanwhile the younger generations go on."""
    now = [100.0]
    collected: list[int] = []

    def fake_collect(generation: int) -> int:
        collected.append(generation)
        if generation == 2:
            now[0] += 0.5  # a large heap's full collection
        return 0

    monkeypatch.setattr(gui_gc.gc, "collect", fake_collect)
    collector = gui_gc.GuiThreadCollector(QApplication.instance(), clock=lambda: now[0])
    collector.timer.stop()  # driven by hand here
    collector.thresholds = (-1, -1, -1)  # every generation is always due
    try:
        steps = []
        for t in (100.0, 109.0, 110.0, 130.0, 159.9, 160.5):
            now[0] = max(now[0], t)
            steps.append(collector.collect_due())
        assert steps == [1, 1, 2, 1, 1, 2]  # 10 s at first; then 50 s after a 0.5 s one
        assert collected == steps
    finally:
        monkeypatch.undo()
        shiboken6.delete(collector)
        gc.enable()
