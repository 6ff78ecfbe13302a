"""SunPanel: the sun at the case's place and date, and the times its shadows fit (issue 17).

The analyst chooses the place (a landmark, camera or hypothesis of the case, or typed
coordinates), the date, the time zone (IANA name, e.g. Asia/Damascus) and a local time. The
panel shows sunrise, noon and sunset; the azimuth and elevation over the day and the 95%
intervals at which each shadow observation fits, on one day axis (``workbench.sun_figure``,
rendered in a worker, shown by ``ui.sun.plot``), and lists those intervals in words (morning
and afternoon solutions, what carried each). The shadow's
direction at the chosen time, from the chosen point, and the place band of the measured
shadow lengths go to the map as two layers (``layers_ready``; ``connect_map`` hands them to a
map panel and again whenever its page reloads).

Everything is computed in a worker (``workbench.sun_view``); an edit recomputes after a short
pause, and an answer that arrives for older inputs is dropped. The panel updates from the
change feed when landmarks, hypotheses or observations change.
"""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ui.jobs import JobRunner
from ui.sun.describe import describe_day, describe_fit
from ui.sun.plot import SunCanvas
from workbench.sun_figure import render_sun_figure
from workbench.sun_view import SunPoint, SunQuery, SunView, compute_sun_view, read_inputs

ZONES = ("UTC", "Asia/Damascus", "Europe/Kyiv", "Asia/Gaza", "Asia/Baghdad", "Europe/London")
PLACE_KINDS = ("landmark", "hypothesis")  # the points one may choose
DEBOUNCE_MS = 150


def touches_sun_inputs(change) -> bool:
    """Whether ``change`` can change what the panel reads: a point one may choose, or a shadow
    observation (added as ``observation.shadow``; deleted or restored with its kind in the
    row's details). Another kind's observation, a bearing say, leaves the panel as it was:
    re-reading and recomputing the day on every bearing cost two jobs for nothing."""
    if change.touches(*PLACE_KINDS):
        return True
    return change.touches("observation") and any(
        row.action == "observation.shadow" or row.details.get("kind") == "shadow"
        for row in change.audit
    )


def _label() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names typed by analysts stay text
    return label


class SunPanel(QWidget):
    """The Sun dock (module doc)."""

    layers_ready = Signal(object)  # {layer id: FeatureCollection}
    view_shown = Signal()

    def __init__(self, jobs: JobRunner, *, changes=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.case = None
        self.points: list[SunPoint] = []
        self.shadows: list = []
        self.view: SunView | None = None
        self.layers: dict = {}
        self._generation = 0
        self.band_shadow_id: int | None = None
        self._active, self._stale = True, False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.compute)
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(4 * DEBOUNCE_MS)
        self._resize_timer.timeout.connect(self.redraw)
        self._build()
        if changes is not None:
            changes.changed.connect(self._on_changes_changed)

    def _build(self) -> None:
        self.point_combo = QComboBox()
        self.point_combo.addItem("Typed coordinates", None)
        self.lat_spin, self.lon_spin = QDoubleSpinBox(), QDoubleSpinBox()
        for spin, bound in ((self.lat_spin, 90.0), (self.lon_spin, 180.0)):
            spin.setRange(-bound, bound)
            spin.setDecimals(5)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        self.zone_combo.addItems(ZONES)
        self.zone_combo.setToolTip("An IANA time zone: local times are shown in it")
        self.time_edit = QTimeEdit(QTime(12, 0))
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setToolTip("Local time of the shadow line and the place band on the map")
        where = QHBoxLayout()
        where.addWidget(self.lat_spin)
        where.addWidget(self.lon_spin)
        when = QHBoxLayout()
        for w in (self.date_edit, self.zone_combo, self.time_edit):
            when.addWidget(w)
        self.form = QFormLayout()
        self.form.addRow("Place", self.point_combo)
        self.form.addRow("Lat, lon", where)
        self.form.addRow("Date, zone", when)
        self._build_results()
        self._lay_out()
        self.point_combo.activated.connect(self._on_point_combo_activated)
        for spin in (self.lat_spin, self.lon_spin):
            spin.valueChanged.connect(lambda _v: self.schedule())
        self.date_edit.dateChanged.connect(lambda _d: self.schedule())
        self.time_edit.timeChanged.connect(lambda _t: self.schedule())
        self.zone_combo.currentTextChanged.connect(lambda _t: self.schedule())

    def _build_results(self) -> None:
        self.summary_label, self.message_label = _label(), _label()
        self.message_label.setStyleSheet("color: #b3261e")
        self.band_label = _label()
        self.canvas = SunCanvas()
        self.canvas.size_changed.connect(self._on_canvas_size_changed)
        self.interval_list = QListWidget()
        self.interval_list.setMinimumHeight(40)
        self.interval_list.setToolTip("Select a shadow to draw its place band on the map")
        self.interval_list.itemClicked.connect(self._on_interval_list_item_clicked)
        # It takes the height the dock has, never asks for more (a scroll area gives it all).
        self.interval_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.interval_list.setWordWrap(True)

    def _lay_out(self) -> None:
        # Three columns (the inputs; the day and the intervals in words; the day axis): the
        # panel sits under the map and the picture, wide and low (about 190 px at 1366 x 768).
        words = QVBoxLayout()
        words.addLayout(self.form)
        words.addWidget(self.message_label)
        words.addStretch(1)
        column = QWidget()
        column.setLayout(words)
        column.setMinimumWidth(300)
        column.setMaximumWidth(420)
        fits = QVBoxLayout()
        fits.addWidget(self.summary_label)
        fits.addWidget(self.interval_list, 1)
        fits.addWidget(self.band_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(column, 3)
        layout.addLayout(fits, 3)
        layout.addWidget(self.canvas, 4)

    # -- inputs -------------------------------------------------------------------------
    def set_case(self, case) -> None:
        self.case = case
        self.refresh()

    def _on_changes_changed(self, change) -> None:
        if touches_sun_inputs(change):
            self.refresh()

    def set_active(self, active: bool) -> None:
        """Whether the panel is on screen (the window's dock tells it). A hidden panel reads
        and computes nothing, it only notes that it is behind, and catches up when shown: its
        read, the day's computation and the figure's drawing are 0.3-0.8 s of Python in a
        worker, which holds up the GUI thread (the GIL) on every edit of a place or shadow."""
        self._active = active
        if active and self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Re-read the points and the shadow observations in a worker, then recompute."""
        case = self.case
        if case is None:
            self._set_inputs(None, ([], [], None))
            return
        if not self._active:
            self._stale = True
            return
        self._stale = False
        self.jobs.run(
            "Sun panel",
            lambda progress=None, cancel=None: read_inputs(case.read()),
            on_result=lambda result: self._set_inputs(case, result),
            quiet=True,
            on_error=lambda e: self.message_label.setText(f"Cannot read the case: {e}"),
        )

    def _set_inputs(self, case, result) -> None:
        if case is not self.case:
            return
        first = not self.points
        self.points, self.shadows, zone = result
        if first:
            self._first_defaults(zone)
        keep = self.point_combo.currentIndex()
        self.point_combo.blockSignals(True)
        while self.point_combo.count() > 1:
            self.point_combo.removeItem(1)
        for k, p in enumerate(self.points):
            self.point_combo.addItem(p.label, k)
        self.point_combo.blockSignals(False)
        if first and self.points and keep == 0 and self.lat_spin.value() == 0.0:
            self.choose_point(1)
        self.schedule()

    def _first_defaults(self, zone: str | None) -> None:
        """A case just read: its time zone, and the day of its newest shadow, unless the
        analyst chose others already."""
        if zone and self.zone_combo.currentText() == ZONES[0]:
            self.zone_combo.setCurrentText(zone)
        dates = [o.inputs.get("date") for o in self.shadows if o.inputs.get("date")]
        if dates and self.date_edit.date() == QDate.currentDate():
            self.date_edit.setDate(QDate.fromString(max(dates), "yyyy-MM-dd"))

    def choose_point(self, index: int) -> None:
        """Choose the combo's ``index`` (0: typed coordinates)."""
        self.point_combo.setCurrentIndex(index)
        self._on_point_combo_activated(index)

    def _on_point_combo_activated(self, _index: int) -> None:
        k = self.point_combo.currentData()
        typed = k is None
        for spin in (self.lat_spin, self.lon_spin):
            spin.setEnabled(typed)
        if not typed:
            p = self.points[k]
            for spin, value in ((self.lat_spin, p.lat_deg), (self.lon_spin, p.lon_deg)):
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)
        self.schedule()

    def set_place(self, lat_deg: float, lon_deg: float) -> None:
        """Typed coordinates (the API; the spin boxes do the same)."""
        self.choose_point(0)
        self.lat_spin.setValue(lat_deg)
        self.lon_spin.setValue(lon_deg)

    def _on_interval_list_item_clicked(self, item: QListWidgetItem) -> None:
        self.choose_band_shadow(item.data(Qt.ItemDataRole.UserRole))

    def choose_band_shadow(self, observation_id: int | None) -> None:
        """Draw the place band of this shadow (None: the newest with a measured length)."""
        if observation_id != self.band_shadow_id:
            self.band_shadow_id = observation_id
            self.schedule()

    def query(self) -> SunQuery:
        k = self.point_combo.currentData()
        name = "typed point" if k is None else self.points[k].label
        d, t = self.date_edit.date(), self.time_edit.time()
        return SunQuery(
            self.lat_spin.value(), self.lon_spin.value(),
            date(d.year(), d.month(), d.day()), self.zone_combo.currentText().strip() or "UTC",
            time(t.hour(), t.minute()), name, self.band_shadow_id,
        )  # fmt: skip

    # -- computing ----------------------------------------------------------------------
    def schedule(self) -> None:
        """Recompute after a short pause (typing a date does not start ten jobs)."""
        self._timer.start()

    def compute(self) -> None:
        if not self._active:  # hidden meanwhile: caught up when shown (set_active)
            self._stale = True
            return
        self._generation += 1
        generation, query, shadows = self._generation, self.query(), list(self.shadows)
        size = self.canvas.wanted_size()

        def work(progress=None, cancel=None):
            view = compute_sun_view(query, shadows, progress=progress, cancel=cancel)
            return view, render_sun_figure(view, *size)

        self.jobs.run(
            "Sun: the day and the shadows",
            work,
            on_result=lambda result: self._show(generation, *result),
            on_error=lambda e: self._failed(generation, e),
        )

    def _on_canvas_size_changed(self) -> None:
        self._resize_timer.start()

    def redraw(self) -> None:
        """Render the figure again at the canvas's size, in a worker."""
        view, generation, size = self.view, self._generation, self.canvas.wanted_size()
        if view is None:
            return
        self.jobs.run(
            "Sun: the figure",
            lambda progress=None, cancel=None: render_sun_figure(view, *size),
            on_result=lambda fig: self._show_figure(generation, fig),
            quiet=True,
            on_error=lambda e: self._failed(generation, e),
        )

    def _show_figure(self, generation: int, figure) -> None:
        if generation == self._generation:
            self.canvas.show_figure(figure)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.message_label.setText(str(exc))

    def _show(self, generation: int, view: SunView, figure) -> None:
        if generation != self._generation:
            return
        self.view = view
        self.summary_label.setText(describe_day(view))
        self.message_label.setText("\n".join(view.messages))
        self.band_label.setText(view.band_note)
        self.interval_list.blockSignals(True)
        self.interval_list.clear()
        for fit in view.fits:
            for line in describe_fit(fit, view.query.zone_name):
                item = QListWidgetItem(line)
                item.setData(Qt.ItemDataRole.UserRole, fit.observation_id)
                self.interval_list.addItem(item)
                item.setSelected(fit.observation_id == self.band_shadow_id)
        self.interval_list.blockSignals(False)
        self.canvas.show_figure(figure)
        self.layers = view.layers
        self.layers_ready.emit(self.layers)
        self.view_shown.emit()

    def emit_layers(self) -> None:
        """Send the last layers again (a map page that reloaded has lost them)."""
        if self.layers:
            self.layers_ready.emit(self.layers)


def connect_map(panel: SunPanel, map_panel) -> None:
    """Draw the panel's layers on ``map_panel`` (``push_layer``), again after each reload."""

    def push(layers: dict) -> None:
        for layer_id, collection in layers.items():
            map_panel.push_layer(layer_id, collection)

    panel.layers_ready.connect(push)
    map_panel.page_loaded.connect(lambda _ok: panel.emit_layers())


def sun_dock(w, wrap):
    """The window's "Sun" dock (arranged by the Map workspace, under it): the panel, wrapped
    by ``wrap`` (the window's scroll area), follows the window's case and change feed and
    draws on its map panel; View > Sun toggles it."""
    panel = SunPanel(w.jobs, changes=w.changes)
    w.sun_panel = panel
    connect_map(panel, w.map_panel)
    w.case_opened.connect(panel.set_case)
    dock = w._dock("Sun", wrap(panel), Qt.DockWidgetArea.BottomDockWidgetArea)
    panel.set_active(dock.isVisible())  # it works only while its dock is on screen
    dock.visibilityChanged.connect(panel.set_active)
    w.view_menu.addAction(dock.toggleViewAction())  # View > Sun shows or hides it
    return dock
