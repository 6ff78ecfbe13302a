"""Reviewer sign-off from the Records view: the context menu of a hypothesis, an observation
or a figure marks it reviewed, or disputed with a note (``workbench.review``), under the
analyst named in the window's bar.

A review is never undone: it is a signed statement in the audit log, and one that is regretted
is answered by the next review of the same target (the latest is where it stands). The write
runs on the case's writer and its answer comes back through the job runner; the list is read
again from the change feed, like any other edit.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QTableView

from ui.jobs import JobRunner
from workbench.case import Case, CaseError
from workbench.records import Record
from workbench.review import add_review, parse_target

MARK_REVIEWED = "Mark reviewed…"
MARK_DISPUTED = "Mark disputed…"
KEYS = {"reviewed": "Ctrl+R", "disputed": "Ctrl+D"}  # while the records table has the focus


class ReviewActions(QObject):
    """The review items of a Records table's context menu; ``reviewed(target, status)`` once
    a review is stored, ``refused(message)`` when the case refused it."""

    reviewed = Signal(str, str)
    refused = Signal(str)

    def __init__(
        self,
        table: QTableView,
        jobs: JobRunner,
        case: Callable[[], Case | None],
        selected: Callable[[], Record | None],
    ) -> None:
        super().__init__(table)
        self.table, self.jobs = table, jobs
        self._case, self._selected = case, selected
        self.last_box: QMessageBox | None = None
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        for status, key in KEYS.items():
            shortcut = QAction(table)
            shortcut.setShortcut(QKeySequence(key))
            shortcut.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.triggered.connect(lambda _=False, s=status: self.ask(s))
            table.addAction(shortcut)

    def menu_for(self, record: Record | None) -> QMenu:
        """The context menu for ``record`` (its review items disabled when it has no target)."""
        menu = QMenu(self.table)
        can = record is not None and record.target is not None and self._case() is not None
        for text, status in ((MARK_REVIEWED, "reviewed"), (MARK_DISPUTED, "disputed")):
            action = menu.addAction(text)
            action.setShortcut(QKeySequence(KEYS[status]))
            action.setEnabled(can)
            action.triggered.connect(lambda _=False, s=status: self.ask(s))
        if record is not None and record.review:
            menu.addSeparator()
            menu.addAction(f"Now: {record.review[:80]}").setEnabled(False)
        return menu

    def _on_table_context_menu_requested(self, pos: QPoint) -> None:
        self.menu_for(self._selected()).popup(self.table.viewport().mapToGlobal(pos))

    def ask(self, status: str) -> None:
        """Ask for the note (required for a dispute), then sign the selected record off."""
        record = self._selected()
        if record is None or record.target is None:
            return
        label = "What is wrong (required):" if status == "disputed" else "What you checked:"
        note, ok = QInputDialog.getMultiLineText(
            self.table, f"{status.capitalize()}: {record.title}", label
        )
        if ok:
            self.sign(record, status, note)

    def sign(self, record: Record, status: str, note: str) -> None:
        """Store the review of ``record`` under the case's analyst, off the GUI thread."""
        case = self._case()
        if case is None or record.target is None:
            return
        kind, target_id = parse_target(record.target)
        try:
            future = add_review(case, kind, target_id, status, note)
        except CaseError as exc:  # refused before writing: the case is closed or read-only
            self._refuse(str(exc))
            return
        self.jobs.watch(
            future,
            on_result=lambda _id: self.reviewed.emit(record.target, status),
            on_error=lambda exc: self._refuse(str(exc)),
        )

    def _refuse(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Review not stored", message)
        box.setParent(self.table.window(), box.windowFlags())
        self.last_box = box
        box.open()
        self.refused.emit(message)
