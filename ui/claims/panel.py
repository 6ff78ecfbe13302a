"""``ClaimsPanel``: the case's claims (in their own words and script) and hypotheses.

A panel that shows what ``workbench.claims.list_claims`` and ``workbench.hypotheses`` read:
when, who, the verdict, the text (Arabic and Russian laid out by the Unicode bidi algorithm:
each cell's direction follows its first strong character) and its translation, and the
hypotheses with their time ranges and linked observations. It only reads. The selected
claim's links are listed under it: one click on a link announces it (``link_activated(kind,
target_id, frame_index)``) for the window to open the frame, figure or map object;
double-clicking a claim opens its first link. In the window's Claims workspace
(``ui.claims.parts``); ``python -m ui.claims.panel CASE`` starts it alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from workbench.claims import Claim, list_claims
from workbench.display_text import is_rtl
from workbench.hypotheses import Hypothesis, list_hypotheses

CLAIM_COLUMNS = ("verdict", "claim", "translation", "by", "claimed (UTC)", "source", "links")
VERDICT_COLOURS = {"supported": "#1e8449", "refuted": "#c0392b", "unverified": "#7f8c8d"}


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if is_rtl(text):  # an Arabic claim reads from the right edge of its cell
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ClaimsPanel(QWidget):
    """Claims and hypotheses of one case, read-only."""

    link_activated = Signal(str, int, object)  # kind, target id, frame index or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._claims: list[Claim] = []
        self._titles: dict[tuple[str, int], str] = {}
        self.claims_table = QTableWidget(0, len(CLAIM_COLUMNS))
        self.claims_table.setHorizontalHeaderLabels(CLAIM_COLUMNS)
        self.claims_table.horizontalHeader().setStretchLastSection(True)
        self.claims_table.setWordWrap(True)
        self.claims_table.cellDoubleClicked.connect(self._on_claims_table_cell_double_clicked)
        self.claims_table.currentCellChanged.connect(self._on_claims_table_current_cell_changed)
        self.links_table = QTableWidget(0, 3)
        self.links_table.setHorizontalHeaderLabels(("link: one click opens it", "frame", "note"))
        self.links_table.horizontalHeader().setStretchLastSection(True)
        self.links_table.cellClicked.connect(self._on_links_table_cell_clicked)
        self.links_table.setToolTip("What the verdict rests on: click to open it")
        self.hypotheses_table = QTableWidget(0, 4)
        self.hypotheses_table.setHorizontalHeaderLabels(
            ("hypothesis", "time (UTC)", "confidence", "observations")
        )
        self.hypotheses_table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Claims"))
        layout.addWidget(self.claims_table, 3)
        layout.addWidget(self.links_table, 1)
        layout.addWidget(QLabel("Hypotheses"))
        layout.addWidget(self.hypotheses_table, 1)

    def show_records(
        self,
        claims: list[Claim],
        hypotheses: list[Hypothesis],
        titles: dict[tuple[str, int], str] | None = None,
    ) -> None:
        """Fill both tables; ``titles`` names link targets ("flash_bang 8") where known."""
        self._claims, self._titles = list(claims), dict(titles or {})
        t = self.claims_table
        t.setRowCount(len(claims))
        for row, c in enumerate(claims):
            source = c.source_url or (f"evidence {c.source_evidence_id}" if c.source_evidence_id
                                      else "")  # fmt: skip
            links = ", ".join(self._link_title(k) for k in c.links)
            cells = (c.verdict, c.text, c.translation, c.claimed_by, c.claimed_at_utc, source,
                     links)  # fmt: skip
            for col, text in enumerate(cells):
                item = _item(text)
                if col == 0:
                    item.setForeground(Qt.GlobalColor.white)
                    item.setBackground(_colour(c.verdict))
                t.setItem(row, col, item)
        t.resizeColumnsToContents()
        for col in (1, 2):  # the words wrap rather than push the panel wide
            t.setColumnWidth(col, min(t.columnWidth(col), 240))  # fits the dock beside verdict
        t.resizeRowsToContents()
        self._show_links(t.currentRow())
        h = self.hypotheses_table
        h.setRowCount(len(hypotheses))
        for row, hyp in enumerate(hypotheses):
            when = hyp.time_from_utc or ""
            if hyp.time_to_utc:
                when = f"{when} to {hyp.time_to_utc}"
            obs = ", ".join(str(i) for i in hyp.observation_ids)
            for col, text in enumerate((hyp.title, when, hyp.confidence or "-", obs)):
                h.setItem(row, col, _item(text))
        h.resizeColumnsToContents()

    def load(self, conn) -> None:
        """Read the records from a case connection and show them."""
        self.show_records(list_claims(conn), list_hypotheses(conn))

    def _link_title(self, k) -> str:
        return self._titles.get((k.target_kind, k.target_id), f"{k.target_kind} {k.target_id}")

    def _show_links(self, row: int) -> None:
        links = self._claims[row].links if 0 <= row < len(self._claims) else ()
        self.links_table.setRowCount(len(links))
        for r, k in enumerate(links):
            frame = "" if k.frame_index is None else str(k.frame_index)
            for col, text in enumerate((self._link_title(k), frame, k.note)):
                self.links_table.setItem(r, col, _item(text))
        self.links_table.resizeColumnToContents(0)

    def _on_claims_table_current_cell_changed(self, row: int, *_args: int) -> None:
        self._show_links(row)

    def _on_links_table_cell_clicked(self, row: int, _column: int) -> None:
        claim_row = self.claims_table.currentRow()
        if 0 <= claim_row < len(self._claims):
            links = self._claims[claim_row].links
            if 0 <= row < len(links):
                link = links[row]
                self.link_activated.emit(link.target_kind, link.target_id, link.frame_index)

    def _on_claims_table_cell_double_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._claims) and self._claims[row].links:
            link = self._claims[row].links[0]
            self.link_activated.emit(link.target_kind, link.target_id, link.frame_index)


def _colour(verdict: str):
    from PySide6.QtGui import QColor

    return QColor(VERDICT_COLOURS.get(verdict, "#7f8c8d"))


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from workbench.case import open_case

    app = QApplication(argv[:1])
    panel = ClaimsPanel()
    with open_case(Path(argv[1]), read_only=True) as case:
        panel.load(case.read())
    panel.resize(1000, 500)
    panel.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
