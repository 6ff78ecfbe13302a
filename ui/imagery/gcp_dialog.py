"""GcpDialog: georeference an image by hand, the image beside a reference layer of the case.

Click a point in the image (left), then the same point on the reference (right): a control
point. Every change (a new pair, a marker dragged, a point unticked or deleted, another
transform) refits at once and the table shows each point's residual in pixels and metres, and
the RMSE. "Automatic" matches a near-nadir image against the reference in a worker and
proposes its inliers as points (or says why not). QGIS ``.points`` files are read and
written. Save stores the fit as a ``georeference`` observation and a "registered" imagery
layer, through the writer (the dialog never waits for it). Ctrl+Z / Ctrl+Shift+Z step
through the points' history; Delete removes the selected point. The pixels of both images
are read in a worker before the dialog opens.

Run alone: ``python -m ui.imagery.gcp_dialog CASE EVIDENCE_ID``.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.imagery.mosaic import Mosaic
from analysis.imagery.register_fit import KINDS
from ui.imagery.click_view import PointView
from ui.imagery.gcp_model import GcpModel
from ui.jobs import JobRunner
from workbench.case import Case

COLUMNS = ("#", "x px", "y px", "lat", "lon", "use", "residual px", "residual m")


def load_inputs(case: Case, evidence_id: int, progress=None, cancel=None) -> dict[str, Any]:
    """The evidence image and the case's orthophoto layers as mosaics (run in a worker)."""
    from analysis.imagery.georef import Georef
    from analysis.matching.io import read_image
    from workbench.imagery.layers import list_layers

    conn = case.read()
    row = conn.execute("SELECT stored_name, kind, original_name FROM evidence WHERE id = ?",
                       (evidence_id,)).fetchone()  # fmt: skip
    if row is None or row[1] != "image":
        raise ValueError("choose a still image in the evidence list (a video: export a frame)")
    image = read_image(case.evidence_dir / row[0])
    refs = []
    for layer in list_layers(conn, "ortho"):
        stored = conn.execute("SELECT stored_name FROM evidence WHERE id = ?",
                              (layer.evidence_id,)).fetchone()[0]  # fmt: skip
        pixels = read_image(case.evidence_dir / stored)
        refs.append((layer, Mosaic(pixels, Georef.from_json(layer.georef))))
    if not refs:
        raise ValueError("the case has no orthophoto layer to click on (imagery add CASE FILE)")
    return {"case": case, "evidence_id": evidence_id, "name": row[2], "image": image,
            "refs": refs}  # fmt: skip


class GcpDialog(QDialog):
    """Manual control points with a live fit (module doc)."""

    saved = Signal(object)  # (observation id, layer id), or an exception

    def __init__(self, inputs: dict[str, Any], parent: QWidget | None = None,
                 jobs: JobRunner | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.jobs = jobs if jobs is not None else JobRunner(self)
        self.image = inputs["image"]
        self.case: Case = inputs["case"]
        self.evidence_id: int = inputs["evidence_id"]
        self.refs: list = inputs["refs"]
        self.reference: Mosaic = self.refs[0][1]
        image = inputs["image"]
        self.model = GcpModel((image.shape[1], image.shape[0]))
        self.setWindowTitle(f"Georeference {inputs['name']}")
        self.resize(1100, 720)
        self.image_view, self.ref_view = PointView(), PointView()
        self.image_view.set_image(image)
        self.ref_view.set_image(self.reference.image)
        self._build()
        self.saved.connect(self._on_saved)
        self.refresh()

    def _build(self) -> None:
        self.layer_combo = QComboBox()
        for layer, _ in self.refs:
            self.layer_combo.addItem(f"{layer.name} ({layer.acquired or 'undated'})")
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(KINDS)
        self.kind_combo.setCurrentText(self.model.kind)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.rmse = QLabel()
        buttons = [QPushButton(t) for t in ("Automatic", "Import .points…", "Export .points…",
                                             "Delete point", "Save")]  # fmt: skip
        self.auto_button, self.import_button, self.export_button = buttons[:3]
        self.delete_button, self.save_button = buttons[3:]
        self.auto_button.setToolTip("Match the image against the reference (near-nadir images): "
                                    "proposes control points, or says why not")  # fmt: skip
        top = QHBoxLayout()
        for w in (QLabel("Reference"), self.layer_combo, QLabel("Transform"), self.kind_combo,
                  self.rmse):  # fmt: skip
            top.addWidget(w)
        top.addStretch(1)
        for b in buttons:
            top.addWidget(b)
        split = QSplitter()
        split.addWidget(self.image_view)
        split.addWidget(self.ref_view)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 3)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.status)
        self._connect()

    def _connect(self) -> None:
        self.image_view.clicked.connect(self._on_image_view_clicked)
        self.ref_view.clicked.connect(self._on_ref_view_clicked)
        self.image_view.moved.connect(self._on_image_view_moved)
        self.ref_view.moved.connect(self._on_ref_view_moved)
        self.kind_combo.currentTextChanged.connect(self._on_kind_combo_changed)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self.import_points)
        self.export_button.clicked.connect(self.export_points)
        self.save_button.clicked.connect(self.save)
        self.auto_button.clicked.connect(self.propose)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, self.redo)
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, self.redo)
        QShortcut(QKeySequence.StandardKey.Delete, self, self.delete_selected)

    # -- clicks and edits -----------------------------------------------------------------
    def _ref_latlon(self, x: float, y: float) -> tuple[float, float]:
        lat, lon = self.reference.georef.pixel_to_latlon(np.array([x]), np.array([y]))
        return float(lat[0]), float(lon[0])

    def _on_image_view_clicked(self, x: float, y: float) -> None:
        self.model.click_image(x, y)
        self.refresh()

    def _on_ref_view_clicked(self, x: float, y: float) -> None:
        self.model.click_reference(*self._ref_latlon(x, y))
        self.refresh()

    def _on_image_view_moved(self, i: int, x: float, y: float) -> None:
        if i < len(self.model.gcps):
            self.model.move_image(i, x, y)
        self.refresh()

    def _on_ref_view_moved(self, i: int, x: float, y: float) -> None:
        if i < len(self.model.gcps):
            self.model.move_reference(i, *self._ref_latlon(x, y))
        self.refresh()

    def _on_kind_combo_changed(self, kind: str) -> None:
        self.model.kind = kind
        self.refresh()

    def _on_layer_combo_changed(self, index: int) -> None:
        self.reference = self.refs[index][1]
        self.ref_view.set_image(self.reference.image)
        self.refresh()

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == COLUMNS.index("use") and item.row() < len(self.model.gcps):
            on = item.checkState() == Qt.CheckState.Checked
            if on != self.model.gcps[item.row()].enabled:
                self.model.set_enabled(item.row(), on)
                self.refresh()

    def delete_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for r in rows:
            self.model.remove(r)
        self.refresh()

    def undo(self) -> None:
        if self.model.undo():
            self.refresh()

    def redo(self) -> None:
        if self.model.redo():
            self.refresh()

    # -- showing the fit ------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw markers and table from the model, refitting (a few ms for tens of points)."""
        gcps = self.model.gcps
        state = self.model.fit()
        self.image_view.set_points([(g.x, g.y) for g in gcps], "#e74c3c")
        lat = np.array([g.lat for g in gcps])
        lon = np.array([g.lon for g in gcps])
        rx, ry = self.reference.georef.latlon_to_pixel(lat, lon)
        self.ref_view.set_points([(float(a), float(b)) for a, b in zip(rx, ry, strict=True)],
                                 "#16a085")  # fmt: skip
        rows = state.result.residuals if state.result else [None] * len(gcps)
        self.table.blockSignals(True)
        self.table.setRowCount(len(gcps))
        for i, (g, r) in enumerate(zip(gcps, rows, strict=True)):
            self._fill_row(i, g, r)
        self.table.blockSignals(False)
        self.result = state.result
        self.save_button.setEnabled(state.result is not None)
        self.export_button.setEnabled(bool(gcps))
        if state.result is not None:
            r = state.result
            self.rmse.setText(f"RMSE {r.rmse_m:.2f} m ({r.rmse_px:.2f} px)")
        else:
            self.rmse.setText("")
        self.status.setText(self._hint(state.error))

    def _hint(self, error: str) -> str:
        if self.model.pending_px is not None:
            return "Now click the same point on the reference (right)."
        if self.model.pending_ll is not None:
            return "Now click the same point in the image (left)."
        return error or "Click a point in the image, then the same point on the reference."

    def _fill_row(self, i: int, g, r: dict | None) -> None:
        def num(v: float | None, fmt: str) -> str:
            return "" if v is None or not np.isfinite(v) else format(v, fmt)

        res_px = r.get("residual_px") if r else None
        res_m = r.get("residual_m") if r else None
        texts = (str(i + 1), num(g.x, ".1f"), num(g.y, ".1f"), num(g.lat, ".7f"),
                 num(g.lon, ".7f"), "", num(res_px, ".2f"), num(res_m, ".2f"))  # fmt: skip
        for col, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if COLUMNS[col] == "use":
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if g.enabled else Qt.CheckState.Unchecked)
            self.table.setItem(i, col, item)

    # -- automatic proposal ---------------------------------------------------------------
    def propose(self) -> None:
        """Register the image against the reference in a worker; its inliers become points."""
        from analysis.imagery.georeference import georeference_auto

        image, reference = self.image, self.reference
        self.auto_button.setEnabled(False)
        self.status.setText("Matching the image against the reference…")
        self.jobs.run(
            "Automatic registration",
            lambda progress=None, cancel=None: georeference_auto(
                image, reference, progress=progress, cancel=cancel
            ),
            on_result=self._on_proposed,
            on_error=self._on_propose_failed,
        )

    def _on_proposed(self, result) -> None:
        from analysis.imagery.register_fit import Gcp

        if not shiboken6.isValid(self):
            return
        self.auto_button.setEnabled(True)
        if not result.registered:
            self.status.setText(f"Not registered: {result.reason}")
            return
        gcps = [Gcp(r["x"], r["y"], r["lat"], r["lon"], True, r["name"])
                for r in result.residuals]  # fmt: skip
        self.model.kind = "projective"
        self.kind_combo.setCurrentText("projective")
        self.model.replace_all(gcps)
        self.refresh()
        self.status.setText(f"Proposed {len(gcps)} points: {result.reason}")

    def _on_propose_failed(self, exc: BaseException) -> None:
        self.auto_button.setEnabled(True)
        self.status.setText(f"Automatic registration failed: {exc}")

    # -- files and saving -----------------------------------------------------------------
    def import_points(self, path: str | None = None) -> None:
        from analysis.errors import WorkbenchError
        from analysis.imagery.points_file import read_points

        path = path or QFileDialog.getOpenFileName(self, "QGIS points", "", "*.points")[0]
        if not path:
            return
        try:
            self.model.replace_all(read_points(Path(path)))
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Import points", html.escape(str(exc)))
            return
        self.refresh()

    def export_points(self, path: str | None = None) -> None:
        from analysis.imagery.points_file import write_points
        from analysis.imagery.register_fit import fit_gcps

        path = path or QFileDialog.getSaveFileName(self, "QGIS points", "", "*.points")[0]
        if not path:
            return
        fit = None
        if self.result is not None:
            fit = fit_gcps(self.model.gcps, self.model.kind)
        try:
            write_points(Path(path), self.model.gcps, fit)
        except OSError as exc:
            QMessageBox.warning(self, "Export points", html.escape(f"{path}: {exc.strerror}"))
            return
        self.status.setText(f"Wrote {path}")

    def save(self) -> None:
        """Store the fit through the writer; ``saved`` reports back (never waited on)."""
        from workbench.imagery.layers import store_registration

        if self.result is None:
            return
        self.save_button.setEnabled(False)
        future = store_registration(self.case, self.evidence_id, self.result)
        future.add_done_callback(self._on_write_done)  # on the writer thread: only emit

    def _on_write_done(self, future) -> None:
        if shiboken6.isValid(self):  # the dialog may have been closed meanwhile
            self.saved.emit(future.exception() if future.exception() else future.result())

    def _on_saved(self, outcome: object) -> None:
        self.save_button.setEnabled(self.result is not None)
        if isinstance(outcome, BaseException):
            QMessageBox.warning(self, "Save", html.escape(str(outcome)))
            return
        obs_id, layer_id = outcome
        self.status.setText(f"Saved: georeference observation {obs_id}, imagery layer {layer_id}")


def open_gcp_dialog(parent: QWidget | None, case: Case | None, jobs: JobRunner,
                    evidence_id: int | None) -> None:  # fmt: skip
    """Read the pixels in a worker, then show the dialog (or say why it cannot open)."""
    if case is None or evidence_id is None:
        QMessageBox.information(parent, "Georeference", "Choose an image in the evidence list.")
        return

    def shown(inputs: dict) -> None:
        dialog = GcpDialog(inputs, parent, jobs)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def failed(exc: BaseException) -> None:
        QMessageBox.warning(parent, "Georeference", html.escape(str(exc)))

    jobs.run("Reading the image and the reference",
             lambda progress=None, cancel=None: load_inputs(case, evidence_id),
             on_result=shown, on_error=failed)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from workbench.case import open_case

    args = sys.argv[1:] if argv is None else argv
    app = QApplication.instance() or QApplication(sys.argv[:1])
    case = open_case(args[0])
    dialog = GcpDialog(load_inputs(case, int(args[1])))
    dialog.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
