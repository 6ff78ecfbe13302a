"""CaseReader: the evidence list, the notes, the log and the evidence selected, read off the GUI
thread for the main window.

A case opens with one full read (the evidence, the case notes, the last ``LOG_ROWS`` audit
rows). From then on the change feed drives it: the log panel appends the rows each write
appended; evidence and notes are re-read only when they changed (one read at a time, one more
if asked meanwhile); the thumbnails only when an evidence or its blurring changed; the
selected evidence's record only when the change names it.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Signal

from ui.case.evidence_panel import EvidencePanel
from ui.case.log_panel import LogPanel
from ui.case.notes_panel import NotesPanel
from ui.jobs import JobRunner
from workbench.case import Case
from workbench.case import evidence as ev
from workbench.case.changes import Change
from workbench.case.intake import thumbnail_path
from workbench.case.views import CaseSnapshot, EvidenceDetail, evidence_detail, snapshot
from workbench.thumbs import load_thumbnails

LOG_ROWS = 500  # the audit rows read when a case opens; the log panel appends from then on


class CaseReader(QObject):
    """Reads for the window's lists and fills them (module doc)."""

    refreshed = Signal(object)  # CaseSnapshot, once the panels show it
    detail_read = Signal(object, bool)  # EvidenceDetail of the selection; True: shown before
    failed = Signal(str, object)  # (title, exception): for the window to show

    def __init__(
        self,
        jobs: JobRunner,
        evidence_panel: EvidencePanel,
        notes_panel: NotesPanel,
        log_panel: LogPanel,
        blur_graphic: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.evidence_panel, self.notes_panel, self.log_panel = (
            evidence_panel,
            notes_panel,
            log_panel,
        )
        self.blur_graphic = blur_graphic  # the analyst's setting (the window keeps it current)
        self.case: Case | None = None
        self.snapshot: CaseSnapshot | None = None
        self.detail: EvidenceDetail | None = None
        self.revealed: set[str] = set()  # graphic evidence the analyst chose to see
        self._thumbnails_of: list[tuple[str, bool]] | None = None
        self._reading = self._read_again = False
        self._early_rows: list | None = None  # appended before the first log was read

    def set_case(self, case: Case | None) -> None:
        self.case = case
        self.snapshot = self.detail = self._thumbnails_of = None
        self._reading = self._read_again = False
        self._early_rows = []
        if case is not None:
            self.refresh(with_log=True)

    # -- the lists ------------------------------------------------------------------------
    def refresh(self, *, with_log: bool = False) -> None:
        """Re-read the evidence list and the case notes (and the log: ``with_log``)."""
        case = self.case
        if case is None:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading, self._read_again = True, False
        self.jobs.run(
            "Reading case",
            functools.partial(snapshot, case, log_rows=LOG_ROWS if with_log else 0),
            on_result=functools.partial(self._on_snapshot, case, with_log),
            quiet=True,
            on_error=functools.partial(self._on_snapshot_failed, case),
        )

    def _on_snapshot_failed(self, case: Case, exc: BaseException) -> None:
        if case is not self.case:
            return
        self._reading = False
        if self._early_rows is not None:  # no log was read: show what came since
            self.log_panel.append_entries(self._early_rows, LOG_ROWS)
            self._early_rows = None
        self.failed.emit("Cannot read the case", exc)

    def _on_snapshot(self, case: Case, with_log: bool, snap: CaseSnapshot) -> None:
        if case is not self.case:
            return
        self._reading = False
        old, self.snapshot = self.snapshot, snap
        if old is None or old.evidence != snap.evidence:
            self.evidence_panel.set_evidence(list(snap.evidence))
        self.notes_panel.set_case_notes(list(snap.case_notes))
        if with_log:
            last = snap.log[-1].seq if snap.log else 0
            self.log_panel.set_entries(list(snap.log))
            self.log_panel.append_entries([e for e in self._early_rows or () if e.seq > last])
            self._early_rows = None
        if self._thumbnails_of != self._thumbnail_keys():
            self.load_thumbnails()
        if self.evidence_panel.current_id() is None:
            # Never open on graphic content that is to be blurred (the analyst's setting).
            first = next((e for e in snap.evidence if not self.blurred(e)), None)
            if first is not None:
                self.evidence_panel.select(first.id)
        self.refreshed.emit(snap)
        if self._read_again:
            self.refresh()

    def on_change(self, change: Change) -> None:
        """A committed write: append its audit rows; re-read what it changed that is shown."""
        if self._early_rows is not None:  # the log is being read: these may not be in it
            self._early_rows.extend(change.audit)
        else:
            self.log_panel.append_entries(list(change.audit), LOG_ROWS)
        if change.touches("evidence", "note", "case"):
            self.refresh()
        named = change.ids_of("evidence") | change.ids_of("note")
        if self.detail is not None and self.detail.evidence.sha256 in named:
            self.read_detail(self.detail.evidence.id)

    # -- thumbnails -----------------------------------------------------------------------
    def blurred(self, e: ev.Evidence) -> bool:
        """Whether the thumbnails of ``e`` are shown blurred (graphic, not yet revealed)."""
        return self.blur_graphic and e.is_graphic and e.sha256 not in self.revealed

    def reveal(self, sha256: str) -> None:
        self.revealed.add(sha256)
        self.load_thumbnails()

    def _thumbnail_keys(self) -> list[tuple[str, bool]]:
        evidence = self.snapshot.evidence if self.snapshot else ()
        return [(e.sha256, self.blurred(e)) for e in evidence]

    def load_thumbnails(self) -> None:
        case, snap = self.case, self.snapshot
        if case is None or snap is None:
            return
        self._thumbnails_of = self._thumbnail_keys()
        items = [(e.sha256, thumbnail_path(case, e.sha256), self.blurred(e)) for e in snap.evidence]
        self.jobs.run(
            "Thumbnails",
            functools.partial(load_thumbnails, items),
            on_result=self.evidence_panel.set_thumbnails,
            quiet=True,
        )

    # -- the evidence selected --------------------------------------------------------------
    def read_detail(self, evidence_id: int) -> None:
        case = self.case
        if case is None:
            return
        self.jobs.run(
            "Reading evidence",
            functools.partial(evidence_detail, case, evidence_id),
            on_result=functools.partial(self._on_detail, case),
            quiet=True,
            on_error=lambda e: self.failed.emit("Cannot read the evidence", e),
        )

    def _on_detail(self, case: Case, detail: EvidenceDetail) -> None:
        if case is not self.case or detail.evidence.id != self.evidence_panel.current_id():
            return  # read for a case or an evidence the analyst has since moved away from
        again = self.detail is not None and self.detail.evidence.id == detail.evidence.id
        self.detail = detail
        self.detail_read.emit(detail, again)
