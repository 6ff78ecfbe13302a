"""CaseChanges: the writer's change feed as a Qt signal on the GUI thread.

The case's ``ChangeFeed`` calls its subscribers on the writer thread (``workbench.case.changes``).
``CaseChanges`` subscribes to the open case and re-emits each ``Change`` as ``changed``, queued
to the thread this object lives on (the GUI thread), so that every panel updates what it shows
from one source: the map its layers, the log panel its rows, the tools their landmarks. A
change of a case that has since been closed is dropped on arrival.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from workbench.case import Case
from workbench.case.changes import Change


class CaseChanges(QObject):
    """Follows one case at a time (``set_case``); ``changed(Change)`` on the GUI thread."""

    changed = Signal(object)  # workbench.case.changes.Change
    _arrived = Signal(object, object)  # (case, change), emitted on the writer thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.case: Case | None = None
        self._subscription = _Subscription()
        # Deleted with its parent while a case is still open: the writer must stop calling it.
        self.destroyed.connect(self._subscription.drop)
        # Queued: the writer thread only posts an event; the slot runs on this object's thread.
        self._arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)

    def set_case(self, case: Case | None) -> None:
        """Follow ``case`` (None: none); the previous case's news stops here."""
        if case is self.case:
            return
        self._subscription.drop()
        self.case = case
        if case is not None:
            arrived = self._arrived
            self._subscription.unsubscribe = case.changes.subscribe(
                lambda change: arrived.emit(case, change)
            )

    @Slot(object, object)
    def _on_arrived(self, case: Case, change: Change) -> None:
        if case is self.case:
            self.changed.emit(change)


class _Subscription:
    """The unsubscribe of the case followed; dropped on a new case or when the relay dies."""

    def __init__(self) -> None:
        self.unsubscribe: Callable[[], None] | None = None

    def drop(self, *_args: object) -> None:
        if self.unsubscribe is not None:
            self.unsubscribe()
            self.unsubscribe = None
