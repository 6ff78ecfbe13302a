"""Floating the map prints no QRhi texture warnings (issue 13: 149 lines per float).

The warnings appear only with a real window system: the second test floats and re-docks the
map three times in a child process under Xvfb with the xcb platform, and checks both that Qt
did warn (the filter dropped lines) and that none reached stderr. Skipped without xvfb-run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import qWarning

from ui.map import qt_messages

ROOT = Path(__file__).resolve().parents[2]
TEXTURE = (
    "Texture 0x55cf8d9a0bc0 () belongs to QRhi 0x55cf8c4bd680, but client code attempted to "
    "use it with QRhi 0x55cf8d31e5f0. This is wrong."
)

SCRIPT = """
import sys, tempfile, time
from pathlib import Path
from ui.environment import prepare_environment
prepare_environment()
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow
app = QApplication(sys.argv[:1])
from ui.map import qt_messages
from ui.map.panel import MapPanel
from workbench import geodata
from workbench.case import create_case
case = create_case(Path(tempfile.mkdtemp()) / "f.gwcase")
geodata.add_landmark(case, "tower", 35.62, 36.55).result()
window = QMainWindow()
window.resize(1000, 700)
dock = QDockWidget("Map", window)
panel = MapPanel()
dock.setWidget(panel)
window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
window.show()
panel.set_case(case)
deadline = time.time() + 30
while not panel.loaded and time.time() < deadline:
    app.processEvents()
def spin(seconds):
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
spin(0.5)
for _ in range(3):
    dock.setFloating(True)
    spin(0.8)
    dock.setFloating(False)
    spin(0.8)
print("LOADED", panel.loaded, "DROPPED", qt_messages.dropped(), flush=True)
panel.shutdown()
case.close()
"""


def test_the_filter_drops_only_the_texture_warning(qtlog):
    qt_messages.install()
    before = qt_messages.dropped()
    qWarning(TEXTURE)
    qWarning("Texture 0x1 is fine")  # anything else passes
    assert qt_messages.dropped() == before + 1
    seen = [r.message for r in qtlog.records]
    assert "Texture 0x1 is fine" in seen
    assert TEXTURE not in seen


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs Xvfb (xvfb-run)")
def test_floating_the_map_under_xcb_prints_no_texture_warnings(tmp_path):
    script = tmp_path / "float_map.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    env.pop("QT_LOGGING_RULES", None)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("LOADED"))
    _, loaded, _, dropped = line.split()
    assert loaded == "True"
    assert "belongs to QRhi" not in out
    if int(dropped) == 0:
        pytest.skip("Qt printed no texture warning here: nothing to filter on this platform")
