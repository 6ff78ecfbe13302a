"""TimelineFeed: what the timeline under the video shows, read and written off the GUI thread.

The segments of the video (read from the case, detected by the cut detector, edited as
undoable cut commands whose redo and undo are audited writes) and the thumbnail strip (blurred
for graphic evidence not yet revealed). A result started earlier but delivered later (a slow
read after a quick edit, a strip for the old blur state) never replaces a newer one.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from analysis.jobs import CancelToken, JobCancelled
from analysis.video.probe import display_size
from analysis.video.table import FrameTable
from ui.jobs import JobRunner
from ui.video.timeline import CutEditCommand, TimelineWidget
from ui.video.worker import thumbnail_frames, timeline_thumbnails
from workbench.case import Case
from workbench.case.evidence import Evidence
from workbench.video_store import (
    StoredSegment,
    add_cut,
    delete_cut,
    detect_and_store_segments,
    list_segments,
    move_cut,
    restore_cut,
)

MAX_THUMBS = 64
THUMB_HEIGHT_PX = 54


class TimelineFeed(QObject):
    """Segments and thumbnails of the video shown, for its ``TimelineWidget`` (module doc)."""

    segments_changed = Signal(object)  # list of StoredSegment
    failed = Signal(str, object)  # (title, exception) for the panel's status line

    def __init__(self, jobs: JobRunner, undo_stack: QUndoStack, timeline: TimelineWidget):
        super().__init__(timeline)
        self.jobs, self.undo_stack, self.timeline = jobs, undo_stack, timeline
        self.case: Case | None = None
        self.evidence: Evidence | None = None
        self.table: FrameTable | None = None
        self.strip_blurred = False  # graphic evidence not yet revealed: blurred thumbnails
        self._strip_token: CancelToken | None = None
        self._strip_seq = 0  # only the newest strip job's pictures are shown
        self._tokens: list[CancelToken] = []
        self._segments_started = self._segments_shown = 0

    def follow(self, case: Case, evidence: Evidence, *, blurred: bool) -> None:
        """The video now shown (its frame table still loading)."""
        self.clear()
        self.case, self.evidence, self.strip_blurred = case, evidence, blurred

    def show_table(self, table: FrameTable) -> None:
        """The video's frame table is loaded: read its segments and make its strip."""
        self.table = table
        self.load_segments()
        self.load_thumbnails()

    def clear(self) -> None:
        for token in self._tokens:  # the thumbnails of the previous video
            token.cancel()
        self._tokens.clear()
        self.case = self.evidence = self.table = None

    # -- segments -----------------------------------------------------------------------
    def load_segments(self) -> None:
        case, e = self.case, self.evidence
        if case is None or e is None:
            return
        self.jobs.run(
            "Segments",
            lambda progress, cancel: list_segments(case.read(), e.id),
            on_result=self.segments_callback(e.id),
            quiet=True,
        )

    def segments_callback(self, evidence_id: int):
        """A result handler for a segment read or write started now: results started earlier
        but delivered later (a slow read after a quick edit) never overwrite newer ones."""
        self._segments_started += 1
        return functools.partial(self._on_segments, evidence_id, self._segments_started)

    def _on_segments(self, evidence_id: int, seq: int, segments: list[StoredSegment]) -> None:
        if self.evidence is None or self.evidence.id != evidence_id:
            return
        if seq < self._segments_shown:
            return
        self._segments_shown = seq
        self.timeline.set_segments(segments)
        self.segments_changed.emit(segments)

    def detect(self) -> None:
        case, e = self.case, self.evidence
        if case is None or e is None:
            return
        self.jobs.run(
            f"Detecting cuts in {e.original_name}",
            functools.partial(detect_and_store_segments, case, e.id),
            on_result=self.segments_callback(e.id),
            on_error=lambda exc: self.failed.emit("Cut detection failed", exc),
        )

    def edit(self, op: str, *frames: int) -> None:
        """Add, move or delete a cut as an undoable command."""
        if self.case is None or self.evidence is None:
            return
        before = self.timeline.segment_starting_at(frames[0]) if op != "add" else None
        self.undo_stack.push(
            CutEditCommand(self._apply_edit, self.evidence.id, op, *frames, before=before)
        )

    def _apply_edit(self, evidence_id: int, op: str, *args) -> None:
        case = self.case
        if case is None:
            return
        if op == "restore":
            segment, replacing = args
            write = restore_cut(case, evidence_id, segment, replacing=replacing)
        else:
            write = {"add": add_cut, "move": move_cut, "delete": delete_cut}[op](
                case, evidence_id, *args
            )
        self.jobs.watch(
            write,
            on_result=self.segments_callback(evidence_id),
            on_error=lambda exc: self.failed.emit(f"Could not {op} the cut", exc),
        )

    # -- the thumbnail strip ------------------------------------------------------------
    def load_thumbnails(self) -> None:
        case, e, table = self.case, self.evidence, self.table
        if case is None or e is None or table is None:
            return
        w, h = display_size(table.width_px, table.height_px, table.sar, table.rotation_deg)
        thumb_w = max(24, THUMB_HEIGHT_PX * w // max(1, h))
        count = min(MAX_THUMBS, max(8, self.timeline.width() // thumb_w))
        if self._strip_token is not None:  # a strip for the old blur state is obsolete
            self._strip_token.cancel()
        self._strip_seq += 1
        token = self.jobs.run(
            "Timeline thumbnails",
            functools.partial(
                timeline_thumbnails,
                case.evidence_dir / e.stored_name,
                table,
                case.derived_dir / "thumbs" / e.sha256,
                thumbnail_frames(table, count),
                THUMB_HEIGHT_PX,
                blur=self.strip_blurred,
            ),
            on_result=functools.partial(self._on_thumbnails, e.id, self._strip_seq),
            on_error=functools.partial(self._on_thumbnails_failed, e.id),
            quiet=True,
        )
        self._strip_token = token
        self._tokens.append(token)

    def set_blurred(self, blurred: bool) -> None:
        """Blur or reveal the timeline's thumbnails (graphic evidence)."""
        if blurred != self.strip_blurred:
            self.strip_blurred = blurred
            if blurred:  # hide the sharp pictures now, not when the blurred ones are ready
                self.timeline.set_thumbnails([])
            self.load_thumbnails()

    def _on_thumbnails(self, evidence_id: int, seq: int, thumbs) -> None:
        if self.evidence is not None and self.evidence.id == evidence_id and seq == self._strip_seq:
            self.timeline.set_thumbnails(thumbs)

    def _on_thumbnails_failed(self, evidence_id: int, exc: BaseException) -> None:
        if isinstance(exc, JobCancelled) or self.evidence is None:
            return  # the user moved on to another evidence
        if self.evidence.id == evidence_id:
            self.failed.emit("Timeline thumbnails", exc)
