"""The OSM search dock: describe what the footage shows, rank candidate places, make one a
hypothesis.

The analyst names a local OpenStreetMap extract (``.osm.pbf`` or ``.osm``), what the place is
(``man_made=water_tower``) and what stands near it, one per line (``amenity=school:300``).
Search runs ``workbench.osm.run.run_search`` as a job (progress and Cancel in the status bar;
the extract's index is built once, in the case's ``derived/osm/``) and stores the search in the
case (an ``osm_search`` observation: the map shows its candidates from the change feed). A
candidate becomes a hypothesis linked to the search with one click ("Make hypothesis", or a
double click on its row), undoable with Ctrl+Z.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.jobs import JobRunner
from workbench.case import Case

COLUMNS = ("#", "place", "score", "met", "what is near")
DEFAULT_FIND = "man_made=water_tower"
DEFAULT_NEAR = "amenity=school:300\namenity=place_of_worship+religion=muslim:500"


def _search_and_store(case: Case, extract: Path, query, progress=None, cancel=None):
    """The job: the search (index built or read), then its stored observation's future."""
    from workbench.osm.index import case_cache_dir
    from workbench.osm.run import run_search
    from workbench.osm.store import add_search

    outcome = run_search(
        extract, query, case_cache_dir(case.derived_dir), progress=progress, cancel=cancel
    )
    return outcome, add_search(case, outcome)


class OsmSearchPanel(QWidget):
    """See the module doc. ``service`` is the window's ``GeodataService`` (undoable writes)."""

    search_stored = Signal(int)  # the osm_search observation's id
    failed = Signal(str, object)  # title, exception

    def __init__(self, jobs: JobRunner, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.service = jobs, service
        self.case: Case | None = None
        self.search_id: int | None = None
        self.candidates: list[dict[str, Any]] = []
        self._build()

    def _build(self) -> None:
        self.extract_edit = QLineEdit()
        self.extract_edit.setPlaceholderText("an .osm.pbf or .osm extract")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.extract_edit, 1)
        row.addWidget(browse)
        self.find_edit = QLineEdit(DEFAULT_FIND)
        self.near_edit = QPlainTextEdit(DEFAULT_NEAR)
        self.near_edit.setMaximumHeight(70)
        self.near_edit.setToolTip("one KEY=VALUE:METRES per line; join tags with +")
        self.box_edit = QLineEdit()
        self.box_edit.setPlaceholderText("S,W,N,E (optional)")
        form = QFormLayout()
        form.addRow("Extract", row)
        form.addRow("Find", self.find_edit)
        form.addRow("Near", self.near_edit)
        form.addRow("Box", self.box_edit)
        self.search_button = QPushButton("Search (Ctrl+Return)")
        self.search_button.clicked.connect(self.search)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.search)
        self.status = QLabel("Open a case, name an extract, describe the place.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)  # the rank is the first column
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.make_hypothesis())
        self.hypothesis_button = QPushButton("Make hypothesis")
        self.hypothesis_button.setToolTip("The selected candidate as a hypothesis, linked")
        self.hypothesis_button.clicked.connect(self.make_hypothesis)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.search_button)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hypothesis_button)
        self._update_buttons()

    # -- case -----------------------------------------------------------------------------
    def set_case(self, case: Case | None) -> None:
        self.case, self.search_id, self.candidates = case, None, []
        self.table.setRowCount(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.search_button.setEnabled(self.case is not None)
        chosen = self.table.currentRow() >= 0 and bool(self.table.selectedItems())
        self.hypothesis_button.setEnabled(chosen and self.search_id is not None)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "OpenStreetMap extract", "", "OSM extracts (*.osm.pbf *.pbf *.osm);;All (*)"
        )
        if path:
            self.extract_edit.setText(path)

    # -- search ---------------------------------------------------------------------------
    def query(self):
        """The query typed (``OsmQueryError`` for a malformed one)."""
        from analysis.osm.search import OsmQueryError
        from workbench.osm.run import OsmQuery

        near = [ln.strip() for ln in self.near_edit.toPlainText().splitlines() if ln.strip()]
        box = None
        if self.box_edit.text().strip():
            try:
                box = tuple(float(v) for v in self.box_edit.text().split(","))
            except ValueError:
                raise OsmQueryError("the box must be four numbers S,W,N,E") from None
            if len(box) != 4:
                raise OsmQueryError("the box must be four numbers S,W,N,E")
        return OsmQuery.parse(self.find_edit.text(), near, box)  # type: ignore[arg-type]

    def search(self) -> None:
        """Run the search as a job; the result is shown and stored."""
        from analysis.errors import WorkbenchError

        case = self.case
        if case is None:
            return
        extract = Path(self.extract_edit.text().strip())
        try:
            query = self.query()
        except WorkbenchError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(f"searching {extract.name}…")
        self.search_button.setEnabled(False)
        self.jobs.run(
            "OSM search",
            lambda progress, cancel: _search_and_store(case, extract, query, progress, cancel),
            on_result=lambda r: self._on_searched(case, *r),
            on_error=self._on_search_failed,
        )

    def _on_search_failed(self, exc: BaseException) -> None:
        self._update_buttons()
        self.status.setText(f"no search: {exc}")
        self.failed.emit("OSM search failed", exc)

    def _on_searched(self, case: Case, outcome, write) -> None:
        from workbench.osm.run import candidate_json

        if case is not self.case:
            return
        self.candidates = [candidate_json(c) for c in outcome.candidates]
        self._fill(self.candidates)
        how = "built" if outcome.index.built else "from the case's cache"
        self.status.setText(
            f"{len(self.candidates)} of {outcome.anchors_total} places ranked; index {how} "
            f"({outcome.index.feature_count:,} features, {outcome.index_s:.2f} s), search "
            f"{outcome.query_s * 1000:.0f} ms"
        )
        self.jobs.watch(write, on_result=self._on_stored, on_error=self._on_search_failed)

    def _on_stored(self, search_id: int) -> None:
        self.search_id = search_id
        self._update_buttons()
        self.search_stored.emit(search_id)

    def _fill(self, candidates: list[dict[str, Any]]) -> None:
        self.table.setRowCount(len(candidates))
        for r, c in enumerate(candidates):
            name = c["anchor"]["tags"].get("name") or f"{c['anchor']['type']} {c['anchor']['id']}"
            near = "; ".join(
                f"{(m['feature']['tags'].get('name') or m['constraint'].split(' within ')[0])} "
                f"{m['distance_m']:.0f} m"
                for m in c["matches"]
                if m["feature"] is not None
            )
            cells = (str(r + 1), name, f"{c['score']:.2f}", f"{c['met']}/{len(c['matches'])}", near)
            for col, text in enumerate(cells):
                self.table.setItem(r, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self._update_buttons()

    # -- hypothesis -----------------------------------------------------------------------
    def make_hypothesis(self) -> None:
        """The selected candidate as an undoable hypothesis linked to the stored search."""
        row = self.table.currentRow()
        if self.search_id is None or not 0 <= row < len(self.candidates):
            return
        from workbench.osm.store import hypothesis_fields

        c = self.candidates[row]
        fields = hypothesis_fields(self.search_id, row + 1, c, self.find_edit.text())
        self.service.add_hypothesis(c["lat"], c["lon"], fields)
        self.status.setText(f"candidate #{row + 1} is a hypothesis (Ctrl+Z undoes)")


def osm_dock(w, wrap):
    """The window's "OSM search" dock: follows the window's case, writes through its geodata
    service (undo), reports failures in the window's error box."""
    panel = OsmSearchPanel(w.jobs, w.geodata)
    w.osm_panel = panel
    w.case_opened.connect(panel.set_case)
    panel.failed.connect(w.show_error)
    return w._dock("OSM search", wrap(panel), Qt.DockWidgetArea.BottomDockWidgetArea)
