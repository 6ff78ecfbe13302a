"""Guard against a Qt binding that corrupts reference counts when signals are emitted.

PySide6 6.12.0 decrements the refcount of ``True`` on every ``Signal.emit``; on Python 3.11,
where bools are not immortal, the process aborts ("bool_dealloc") after some thousand
signals, i.e. minutes into a session. This runs many emits, from the GUI thread and from a
worker thread as the JobRunner does, in a child process so that a crash fails only this test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import sys, threading
    from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

    class Relay(QObject):
        progressed = Signal(int, float, str)
        succeeded = Signal(int, object)

    app = QCoreApplication([])
    relay = Relay()
    count = [0]
    relay.progressed.connect(lambda *a: count.__setitem__(0, count[0] + 1))
    relay.succeeded.connect(lambda *a: count.__setitem__(0, count[0] + 1))
    N = 60000
    for i in range(N):
        relay.progressed.emit(i, 0.5, "gui thread")

    def worker():
        for i in range(N):
            relay.succeeded.emit(i, None if i % 2 else {"frame": i})

    thread = threading.Thread(target=worker)
    thread.start()

    def check():
        if count[0] >= 2 * N:
            thread.join()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(20)
    app.exec()
    print("delivered", count[0])
""")


def test_many_signal_emits_do_not_corrupt_the_interpreter():
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=300,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "delivered 120000" in proc.stdout
