"""Add an imagery layer from the window: a georeferenced image or DEM, with its date, source
and licence. The file is checked and imported in a worker (``workbench.imagery.layers``); the
map's overlays follow through the change feed."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from ui.jobs import JobRunner
from workbench.case import Case

FILTER = "Georeferenced images and DEMs (*.tif *.tiff *.png *.jpg *.jpeg);;All files (*)"


class LayerDialog(QDialog):
    """The layer's kind, acquisition date, source and licence."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Imagery layer: {path.name}")
        self.kind = QComboBox()
        self.kind.addItems(["ortho", "dem"])
        self.dated = QCheckBox("known")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setEnabled(False)
        self.dated.toggled.connect(self.date.setEnabled)
        self.source = QLineEdit()
        self.licence = QLineEdit()
        form = QFormLayout(self)
        form.addRow("Kind", self.kind)
        form.addRow("Acquired", self.dated)
        form.addRow("", self.date)
        form.addRow("Source", self.source)
        form.addRow("Licence", self.licence)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        day = self.date.date().toString("yyyy-MM-dd") if self.dated.isChecked() else None
        return {
            "kind": self.kind.currentText(),
            "acquired": day,
            "source": self.source.text().strip(),
            "licence": self.licence.text().strip(),
        }


def add_imagery_layer(parent: QWidget, case: Case | None, jobs: JobRunner,
                      path: str | None = None) -> None:  # fmt: skip
    """Ask for a file and its details, then import it in a worker."""
    if case is None:
        return
    path = path or QFileDialog.getOpenFileName(parent, "Add imagery layer", "", FILTER)[0]
    if not path:
        return
    dialog = LayerDialog(Path(path), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    values = dialog.values()

    def work(progress=None, cancel=None):
        from workbench.imagery.layers import add_layer

        return add_layer(case, Path(path), **values)

    def failed(exc: BaseException) -> None:
        QMessageBox.warning(parent, "Imagery layer", html.escape(str(exc)))

    jobs.run(f"Adding {Path(path).name}", work, on_error=failed)
