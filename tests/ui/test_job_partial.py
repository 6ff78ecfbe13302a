"""The JobRunner's partial results: what a job passes to ``partial`` arrives on the GUI
thread, in order, before its result; a job run without ``on_partial`` gets no ``partial``."""

from __future__ import annotations

import threading

from analysis.jobs import deliver, report
from ui.jobs import JobRunner


def _growing(n: int, *, progress, cancel, partial=None):
    seen = []
    for i in range(n):
        seen.append(i)
        report(progress, (i + 1) / n, f"step {i}")
        deliver(partial, tuple(seen))
    return tuple(seen)


def test_partials_arrive_in_order_on_the_gui_thread(qtbot) -> None:
    runner = JobRunner()
    got: list[tuple[int, ...]] = []
    threads: set[int] = set()
    done: list[tuple[int, ...]] = []

    def on_partial(value) -> None:
        threads.add(threading.get_ident())
        got.append(value)

    runner.run(
        "grow",
        lambda **kw: _growing(5, **kw),
        on_partial=on_partial,
        on_result=lambda r: done.append((r, len(got))),
    )
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert got == [tuple(range(k + 1)) for k in range(5)]
    assert done[0] == (tuple(range(5)), 5)  # every partial came before the result
    assert threads == {threading.get_ident()}


def test_a_job_without_on_partial_gets_no_partial_argument(qtbot) -> None:
    runner = JobRunner()
    done = []

    def job(*, progress, cancel, **rest):
        return sorted(rest)

    runner.run("plain", job, on_result=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert done == [[]]
