"""ImageryBar: the case's imagery layers on the map, with opacity and a before/after swipe.

The overlays (``workbench.imagery.overlay.case_overlays``: each layer warped onto the map's
grid as a PNG) are built in a worker of the job runner, then handed to the page's
``GWImagery`` API (``workbench/map_assets/gwimagery.js``) in one call; they are rebuilt when
the change feed says an imagery layer changed. "Before" is drawn under "after"; the swipe
slider clips "after" to the right of the split, so that dragging it compares the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QWidget

from ui.jobs import JobRunner
from ui.narrow import FlowLayout, let_combos_shrink
from workbench.case import Case
from workbench.case.changes import Change

NONE = ""


def _slider(value: int, tip: str) -> QSlider:
    s = QSlider(Qt.Orientation.Horizontal)
    s.setRange(0, 100)
    s.setValue(value)
    s.setToolTip(tip)
    s.setMaximumWidth(120)
    return s


def _labelled(name: str, control: QWidget) -> QWidget:
    """A label and its control, kept on one row of the bar."""
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(QLabel(name))
    row.addWidget(control)
    return pair


class ImageryBar(QWidget):
    """Choose the before/after imagery, its opacity and the swipe (module doc)."""

    overlays_shown = Signal(int)  # how many overlays the page holds

    def __init__(self, jobs: JobRunner, run_js: Callable[..., None], parent=None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self._run_js = run_js
        self.case: Case | None = None
        self.page_ready = False
        self._payload: str | None = None  # the overlays' JSON, built in a worker
        self.names: list[tuple[str, str]] = []  # (overlay id, label)
        self.before = QComboBox()
        self.after = QComboBox()
        self.before.setToolTip("Imagery shown (under the swipe: on the left)")
        self.after.setToolTip("Second imagery, right of the swipe (before/after)")
        self.opacity = _slider(80, "Opacity of the imagery")
        self.swipe = _slider(50, "Swipe: before on the left, after on the right")
        row = FlowLayout(self)  # wraps in a narrow dock rather than scroll sideways
        for name, control in (("Imagery", self.before), ("vs", self.after),
                              ("Opacity", self.opacity), ("Swipe", self.swipe)):  # fmt: skip
            row.addWidget(_labelled(name, control))
        let_combos_shrink(self)  # a long layer name is elided; the list shows it whole
        self.before.currentIndexChanged.connect(self._on_choice_changed)
        self.after.currentIndexChanged.connect(self._on_choice_changed)
        self.opacity.valueChanged.connect(self._on_opacity_changed)
        self.swipe.valueChanged.connect(self._on_swipe_changed)
        self.setVisible(False)

    def set_case(self, case: Case | None) -> None:
        self.case = case
        self.page_ready = False
        self._payload = None
        self._fill([])
        if case is not None:
            self.reload()

    def reload(self) -> None:
        """Build the overlays in a worker, then send them when the page is ready."""
        case = self.case
        if case is None:
            return

        def build(progress=None, cancel=None):
            from workbench.imagery.overlay import case_overlays

            overlays = case_overlays(case)
            names = [(o.id, f"{o.name} ({o.kind})") for o in overlays]
            return case, names, json.dumps([o.to_json() for o in overlays])

        self.jobs.run("Imagery overlays", build, on_result=self._on_built, quiet=True)

    def _on_built(self, result: tuple) -> None:
        case, names, payload = result
        if not shiboken6.isValid(self) or case is not self.case:
            return
        self._payload = payload
        self._fill(names)
        self._send()

    def on_page_loaded(self, ok: bool) -> None:
        self.page_ready = ok
        self._send()

    def on_change(self, change: Change) -> None:
        if change.touches("imagery"):
            self.reload()

    def _send(self) -> None:
        if self.page_ready and self._payload is not None:
            self._run_js(f"GWImagery.setOverlays({self._payload});", self._on_overlays_set)
            self._on_choice_changed()
            self._on_opacity_changed(self.opacity.value())
            self._on_swipe_changed(self.swipe.value())

    def _on_overlays_set(self, count: object) -> None:
        # The page answers asynchronously: the bar may be gone by then (a closed panel).
        if shiboken6.isValid(self):
            self.overlays_shown.emit(int(count or 0))

    def _fill(self, names: list[tuple[str, str]]) -> None:
        self.names = names
        for combo, first in ((self.before, None), (self.after, "(none)")):
            combo.blockSignals(True)
            combo.clear()
            if first:
                combo.addItem(first, NONE)
            for ident, label in names:
                combo.addItem(label, ident)
            combo.blockSignals(False)
        if len(names) > 1:
            self.after.setCurrentIndex(len(names))  # the newest as "after"
        self.setVisible(bool(names))

    def choose(self, before: str, after: str = NONE) -> None:
        """Select the overlays by id (the tests and the window use it)."""
        self.before.setCurrentIndex(max(0, self.before.findData(before)))
        self.after.setCurrentIndex(max(0, self.after.findData(after)))

    def _ids(self) -> tuple[Any, Any]:
        after = self.after.currentData() or None
        return self.before.currentData(), after

    def _on_choice_changed(self, *_: object) -> None:
        before, after = self._ids()
        self._run_js(f"GWImagery.show({json.dumps(before)}, {json.dumps(after)});")
        self.swipe.setEnabled(after is not None)

    def _on_opacity_changed(self, value: int) -> None:
        for ident, _ in self.names:
            self._run_js(f"GWImagery.setOpacity({json.dumps(ident)}, {value / 100:.2f});")

    def _on_swipe_changed(self, value: int) -> None:
        self._run_js(f"GWImagery.setSwipe({value / 100:.2f});")


def attach_imagery(panel: Any) -> ImageryBar:
    """Put an ImageryBar under the map panel's toolbar and follow the panel: its case (seen
    when its page has loaded) and the change feed."""
    bar = ImageryBar(panel.jobs, panel.run_js, panel)
    panel._layout.addWidget(bar)

    def on_page_loaded(ok: bool) -> None:
        if panel.case is not bar.case:
            bar.set_case(panel.case)
        bar.on_page_loaded(ok)

    panel.page_loaded.connect(on_page_loaded)
    panel.changes.changed.connect(bar.on_change)
    return bar
