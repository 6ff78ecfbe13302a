"""The window's claims, timeline, linked video and sound: built once, fed from the change feed.

``ClaimsParts(window)`` makes the Claims panel, the Timeline panel and the linked video view
as docks (arranged by the "Claims" workspace, ``ui.case.workspaces``) and puts the sound strip
under the video panel's timeline. What they show is read in a job (claims, hypotheses, the
timeline in the case's zone, the videos on the shared clock and their sound, from the case's
cache) when the case opens and when a write touched what they show; hidden, they are marked
stale and read when next shown (ADR 0007). A click on a claim's link or on a timeline event
is resolved in a job (``workbench.claim_targets``) and opened by the window: the evidence at
its frame or moment, else the place on the map, else the file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QScrollArea, QVBoxLayout, QWidget

from analysis.errors import MediaError
from analysis.timekeeping.zones import iso_utc
from ui.claims.panel import ClaimsPanel
from ui.timeline.anchor import AnchorBar
from ui.timeline.panel import TimelinePanel
from ui.video.linked import LinkedVideo
from ui.video.sound_strip import SoundStrip
from workbench.case import Case
from workbench.case.changes import Change

CHANGE_KINDS = ("claim", "hypothesis", "timeline", "timeline_event", "observation", "evidence")


@dataclass(frozen=True)
class ClaimsView:
    """Everything the three views show, read together."""

    claims: list
    hypotheses: list
    events: list
    clocks: dict
    names: dict[int, str]
    # label, first sample's UTC, envelope, evidence id, rate, its first cut's UTC (or None)
    waves: list[tuple[str, str, Any, int, int, str | None]]
    titles: dict[tuple[str, int], str]  # link targets named ("flash_bang 8", a file name)
    videos: tuple[int, ...] = ()  # the case's video evidence


def read_claims_view(case: Case, progress=None, cancel=None) -> ClaimsView:
    """Read the views' records (a job: the sound of each video on the clock may be decoded
    once, then comes from the case's cache)."""
    from workbench.claims import list_claims
    from workbench.frame_table_store import cached_frame_table
    from workbench.hypotheses import list_hypotheses
    from workbench.sound_view import cached_sound_picture
    from workbench.sync_store import video_clocks
    from workbench.timeline import build_timeline, case_zone

    conn = case.read()
    clocks = video_clocks(conn)
    rows = conn.execute(
        "SELECT id, original_name, stored_name, sha256, kind FROM evidence"
    ).fetchall()
    names = {r[0]: r[1] for r in rows}
    videos = tuple(r[0] for r in rows if r[4] == "video")
    waves = []
    for evidence_id, clock in sorted(clocks.items()):
        if not clock.anchored:
            continue  # synced, but not placed in UTC: no place on the timeline
        _id, name, stored, sha, _kind = next(r for r in rows if r[0] == evidence_id)
        try:
            pic = cached_sound_picture(case.evidence_dir / stored, case.derived_dir, sha,
                                       cancel=cancel)  # fmt: skip
        except MediaError:
            continue  # a video without sound has no lane; its panel says why
        table = cached_frame_table(conn, evidence_id)
        zero = (table.frames[0].pts_s or 0.0) if table is not None and len(table) else 0.0
        start = datetime.fromisoformat(clock.start_utc.replace("Z", "+00:00"))
        at = iso_utc(start + timedelta(seconds=pic.start_s - zero))
        until = None if clock.until_s is None else iso_utc(start + timedelta(seconds=clock.until_s))
        waves.append((name, at, pic.envelope, evidence_id, round(1 / pic.column_s), until))
    events = build_timeline(conn, zone_name=case_zone(conn))
    hypotheses = list_hypotheses(conn)
    titles = {("observation", i): f"{kind} {i}"
              for i, kind in conn.execute("SELECT id, kind FROM observation")}  # fmt: skip
    titles |= {("hypothesis", h.id): f"hypothesis: {h.title}" for h in hypotheses}
    for k in ("evidence", "frame"):
        titles |= {(k, i): f"{k}: {n}" for i, n in names.items()}
    return ClaimsView(list_claims(conn), hypotheses, events, clocks, names, waves, titles,
                      videos)  # fmt: skip


class ClaimsParts(QObject):
    """Builds and feeds the views (module doc)."""

    def __init__(self, w: QMainWindow) -> None:
        super().__init__(w)
        self.claims_panel = ClaimsPanel()
        self.timeline_panel = TimelinePanel()
        self.linked = LinkedVideo(w.video_panel, w.geodata)
        self.sound = SoundStrip.attach(w.video_panel, w.geodata)
        self.case: Case | None = None
        self._stale = False
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.claims_dock = w._dock("Claims", self.claims_panel, right)
        self.linked_dock = w._dock("Linked video", self.linked, right)
        self.anchor = AnchorBar(w.video_panel, w.geodata)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.anchor)
        lanes = QScrollArea()  # many lanes scroll: the dock never asks the window to grow
        lanes.setWidget(self.timeline_panel)
        lanes.setWidgetResizable(True)
        lanes.setFrameShape(QScrollArea.Shape.NoFrame)
        column.addWidget(lanes, 1)
        self.timeline_dock = w._dock("Timeline", box, bottom)
        self.claims_panel.link_activated.connect(self._on_claims_panel_link_activated)
        self.timeline_panel.event_opened.connect(self._on_timeline_panel_event_opened)
        self.clocks: dict = {}
        w.case_opened.connect(self.set_case)
        w.video_panel.frame_shown.connect(self._on_video_panel_frame_shown)
        w.changes.changed.connect(self.on_change)
        self.claims_dock.visibilityChanged.connect(self._on_dock_visibility_changed)
        self.timeline_dock.visibilityChanged.connect(self._on_dock_visibility_changed)

    @property
    def w(self) -> QMainWindow:
        return self.parent()

    def docks(self) -> dict:
        return {"claims": self.claims_dock, "timeline": self.timeline_dock,
                "linked": self.linked_dock}  # fmt: skip

    # -- reading ------------------------------------------------------------------------------
    def set_case(self, case: Case | None) -> None:
        self.case = case
        if case is None:
            self.claims_panel.show_records([], [])
            self.timeline_panel.set_events([])
            self.timeline_panel.clear_waveforms()
            self.linked.clear()
            self.sound.view.set_picture(None, "No sound shown")
            return
        self._stale = True
        self.refresh()

    def _shown(self) -> bool:
        return self.claims_dock.isVisible() or self.timeline_dock.isVisible()

    def refresh(self, force: bool = False) -> None:
        case = self.case
        if case is None or not (force or self._shown()):
            return
        self._stale = False
        self.w.jobs.run(
            "Reading claims and the timeline",
            functools.partial(read_claims_view, case),
            on_result=functools.partial(self._on_read, case),
            on_error=lambda exc: self.w.show_error("Cannot read the claims", exc),
            quiet=True,
        )

    def on_change(self, change: Change) -> None:
        if change.touches(*CHANGE_KINDS):
            self._stale = True
            self.refresh()

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible and self._stale:
            self.refresh()

    def _on_read(self, case: Case, view: ClaimsView) -> None:
        if case is not self.case:
            return
        self.claims_panel.show_records(view.claims, view.hypotheses, view.titles)
        self.timeline_panel.clear_waveforms()
        for name, at, envelope, evidence_id, rate, until in view.waves:
            self.timeline_panel.set_waveform(name, at, envelope, rate, f"evidence:{evidence_id}",
                                             until_utc=until)  # fmt: skip
        self.timeline_panel.set_events(view.events)
        self.timeline_panel.focus_waveforms()  # the synced videos side by side; wheel zooms out
        self.clocks = view.clocks
        self.linked.set_clocks(view.clocks, view.names, view.videos)

    def _on_video_panel_frame_shown(self, index: int) -> None:
        """The timeline marks the moment the video on screen shows (when it is on the clock)."""
        vp = self.w.video_panel
        clock = self.clocks.get(vp.evidence.id) if vp.evidence is not None else None
        if clock is not None and not clock.anchored:
            clock = None  # synced, but not placed in UTC
        if clock is None or vp.table is None or not 0 <= index < len(vp.table):
            self.timeline_panel.set_cursor(None)
            return
        zero = vp.table.frames[0].pts_s or 0.0
        t = (vp.table.frames[index].pts_s or zero) - zero
        if not clock.holds(t):  # past an edit cut: not on the shared clock
            self.timeline_panel.set_cursor(None)
            return
        start = datetime.fromisoformat(clock.start_utc.replace("Z", "+00:00"))
        self.timeline_panel.set_cursor(iso_utc(start + timedelta(seconds=t)))

    # -- opening ------------------------------------------------------------------------------
    def _open(self, title: str, fn) -> None:
        case = self.case
        if case is None:
            return

        def opened(record) -> None:
            if record is None:
                self.w.statusBar().showMessage(f"{title}: nothing to open", 5000)
            elif case is self.case:
                self.w.parts.open_record(record)

        self.w.jobs.run(title, lambda progress=None, cancel=None: fn(case.read()),
                        on_result=opened, quiet=True,
                        on_error=lambda exc: self.w.show_error(title, exc))  # fmt: skip

    def _on_claims_panel_link_activated(self, kind: str, target_id: int, frame) -> None:
        from workbench.claim_targets import link_record

        self._open("Opening the link", lambda conn: link_record(conn, kind, target_id, frame))

    def _on_timeline_panel_event_opened(self, source: str, at_utc: str) -> None:
        from workbench.claim_targets import source_record

        self._open("Opening the event", lambda conn: source_record(conn, source, at_utc or None))
