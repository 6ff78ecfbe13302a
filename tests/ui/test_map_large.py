"""A large case on the map (issue 12): 10,000 hypotheses and 10,000 landmarks load without
the GUI thread stalling. The stall is measured with a 10 ms QTimer from ``set_case`` until the
page has drawn every layer; the web view exists already (starting Chromium is a one-off cost
of showing any map). The load time is printed; bench/bench_map.py --large is the benchmark."""

from __future__ import annotations

import os
import time

import pytest

from tests.synth.large_case import populate_large
from workbench.case import create_case

TIMEOUT = 60000


@pytest.fixture(scope="module")
def large_case(tmp_path_factory):
    c = create_case(tmp_path_factory.mktemp("large") / "large.gwcase")
    populate_large(c, 10_000)
    yield c
    c.close()


def load_with_stall(qtbot, panel, case) -> tuple[float, float]:
    """(seconds from set_case to every layer drawn, the GUI thread's longest stall in ms)."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    ticker, timer, stall = QElapsedTimer(), QTimer(), [0.0]
    timer.setInterval(10)
    timer.timeout.connect(lambda: stall.__setitem__(0, max(stall[0], ticker.restart())))
    drawn: list[float] = []
    t0 = time.perf_counter()
    ticker.start()
    timer.start()
    with qtbot.waitSignal(panel.page_loaded, timeout=TIMEOUT, check_params_cb=bool):
        panel.set_case(case)
    sent = time.perf_counter() - t0

    def ask() -> bool:
        panel.run_js("GW.drawnAtMs > 0", lambda ok: ok and not drawn and drawn.append(1.0))
        if drawn:
            return True
        qtbot.wait(20)
        return False

    qtbot.waitUntil(lambda: bool(drawn) or ask(), timeout=TIMEOUT)
    elapsed = time.perf_counter() - t0
    timer.stop()
    print(f"layers sent to the page after {sent:.2f} s, drawn after {elapsed:.2f} s")
    return elapsed, stall[0]


def idle_stall(qtbot, seconds: float = 1.5) -> float:
    """The longest gap of a 10 ms timer while the GUI thread does nothing of ours."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    ticker, timer, stall = QElapsedTimer(), QTimer(), [0.0]
    timer.setInterval(10)
    timer.timeout.connect(lambda: stall.__setitem__(0, max(stall[0], ticker.restart())))
    ticker.start()
    timer.start()
    qtbot.wait(int(seconds * 1000))
    timer.stop()
    return stall[0]


def test_ten_thousand_hypotheses_load_without_stalling_the_gui(qtbot, map_panel, large_case):
    map_panel.resize(1100, 800)
    map_panel.ensure_view()
    qtbot.wait(300)  # Chromium has started
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    baseline = idle_stall(qtbot)
    if baseline > 50 or load > cores:  # others hold the CPU: a stall would measure them
        pytest.skip(
            f"the machine is too busy to measure: {baseline:.0f} ms gaps while idle, "
            f"load average {load:.1f} on {cores} cores"
        )
    runs = []
    for _ in range(3):  # the best of three: other processes share the machine
        if map_panel.case is not None:
            with qtbot.waitSignal(map_panel.page_loaded, timeout=TIMEOUT):  # about:blank
                map_panel.set_case(None)
        runs.append(load_with_stall(qtbot, map_panel, large_case))
    print(f"10,000 hypotheses + 10,000 landmarks: (load s, stall ms) {runs}")
    box = []
    counts = "JSON.stringify([GW.featureCount('hypotheses'), GW.featureCount('landmarks')])"
    map_panel.run_js(counts, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=TIMEOUT)
    assert box[0] == "[20000,10000]"  # a point and a circle per hypothesis
    assert min(stall for _, stall in runs) < 100, runs
