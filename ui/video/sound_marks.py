"""Naming a stretch of a video's sound (jet noise, a siren, a second bang) from the sound strip.

Drag across the sound to select a stretch, type what it is, "Keep" (Ctrl+Shift+K): the
stretch is stored as a ``sound_mark`` observation (``workbench.sound_store.store_sound_mark``:
with its UTC times when the video is on the shared clock, so the timeline shows it), in a job,
undoably. ``undoable_stored`` makes any observation a worker stored undoable.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QPushButton

from workbench.case import Case


def undoable_stored(service, case: Case, obs_id: int, text: str) -> None:
    """Push an undo command for an observation already stored (undo deletes it, redo
    restores it with its id); nothing when no service follows this case."""
    if service is None or service.case is not case:
        return
    from ui.undo import AddRecordCommand
    from workbench import geodata

    service.undo_stack.push(AddRecordCommand(
        service, text, lambda: None,
        lambda i: geodata.delete_observation(case, i),
        lambda record: geodata.restore_observation(case, record), stored_id=obs_id,
    ))  # fmt: skip


class SoundMarks(QObject):
    """The strip's "Keep" controls (module doc)."""

    kept = Signal(int)  # the sound_mark observation's id

    def __init__(self, strip, row) -> None:
        super().__init__(strip)
        self.strip = strip
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("what is heard: jet noise…")
        self.name_edit.setMaximumWidth(180)
        self.keep_button = QPushButton("Keep (Ctrl+Shift+K)")
        self.keep_button.setToolTip("Keep the stretch dragged across the sound, with its name, "
                                    "as an observation with its times")  # fmt: skip
        self.keep_button.setEnabled(False)
        row.addWidget(self.name_edit)
        row.addWidget(self.keep_button)
        self.keep_button.clicked.connect(self.keep)
        self.name_edit.returnPressed.connect(self.keep)
        QShortcut(QKeySequence("Ctrl+Shift+K"), strip.panel, self.keep,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fmt: skip
        strip.view.span_selected.connect(self._on_view_span_selected)

    def _on_view_span_selected(self, start_s: float, end_s: float) -> None:
        self.keep_button.setEnabled(True)
        self.strip.label.setText(f"Selected {start_s:.3f} s to {end_s:.3f} s: name it, Keep")

    def keep(self) -> None:
        strip = self.strip
        e, case, span = strip.panel.evidence, strip.panel.case, strip.view.selection
        if e is None or case is None or span is None:
            return
        name = self.name_edit.text().strip() or "jet noise"
        from workbench.sound_store import store_sound_mark

        strip.jobs.run(
            f"Keeping '{name}'",
            lambda progress=None, cancel=None: store_sound_mark(case, e.id, *span, name).result(),
            on_result=functools.partial(self._on_kept, case, name),
            on_error=lambda exc: strip.label.setText(f"Not kept: {exc}"),
        )

    def _on_kept(self, case: Case, name: str, obs_id: int) -> None:
        self.strip.view.selection = None
        self.strip.view.update()
        self.keep_button.setEnabled(False)
        self.strip.label.setText(f"'{name}' kept as observation {obs_id}")
        undoable_stored(self.strip.service, case, obs_id, f"sound: {name}")
        self.kept.emit(obs_id)
