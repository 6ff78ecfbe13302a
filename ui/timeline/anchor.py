"""``AnchorBar``: place the video on screen in UTC from the Timeline dock.

The analyst types when the frame on screen was filmed (ISO 8601 with its zone: an upload
time, a sun-derived time, a witness) and anchors it: ``workbench.sync_store.anchor_video``
stores the analyst's event "<name>: first frame", in a job; undo deletes it. Every video
synced to this one then has its place on the timeline too. A time without a zone is refused
with the reason, and nothing is stored.
"""

from __future__ import annotations

import functools

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from workbench.case import Case


class AnchorBar(QWidget):
    """A line edit for the moment and an Anchor button (module doc)."""

    def __init__(self, video_panel, service=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel, self.jobs, self.service = video_panel, video_panel.jobs, service
        self.time_edit = QLineEdit()
        self.time_edit.setPlaceholderText("the frame on screen was filmed at, e.g. "
                                          "2016-10-26T10:32:10+03:00")  # fmt: skip
        self.button = QPushButton("Anchor")
        self.button.setToolTip("Place the video on screen in UTC: its frame on screen was "
                               "filmed at the time typed (with its zone)")  # fmt: skip
        self.status = QLabel("")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(QLabel("Anchor the video:"))
        row.addWidget(self.time_edit, 1)
        row.addWidget(self.button)
        row.addWidget(self.status, 1)
        self.button.clicked.connect(self.anchor)
        self.time_edit.returnPressed.connect(self.anchor)

    def anchor(self) -> None:
        e, case, text = self.panel.evidence, self.panel.case, self.time_edit.text().strip()
        if e is None or case is None:
            self.status.setText("Show a video first")
            return
        if not text:
            self.status.setText("Type when the frame on screen was filmed, with its zone")
            return
        from workbench.sync_store import anchor_video

        frame = self.panel.current_index
        self.jobs.run(
            "Anchoring the video",
            lambda progress=None, cancel=None: anchor_video(case, e.id, frame, text).result(),
            on_result=functools.partial(self._on_anchored, case, e.original_name, frame),
            on_error=lambda exc: self.status.setText(f"Not anchored: {exc}"),
        )

    def _on_anchored(self, case: Case, name: str, frame: int, event_id: int) -> None:
        self.status.setText(f"{name}: frame {frame} anchored (event {event_id})")
        service = self.service
        if service is None or service.case is not case:
            return
        from ui.undo import AddRecordCommand
        from workbench.timeline import delete_event, restore_event

        service.undo_stack.push(AddRecordCommand(
            service, f"anchor {name}", lambda: None, lambda i: delete_event(case, i),
            lambda record: restore_event(case, record), stored_id=event_id,
        ))  # fmt: skip
