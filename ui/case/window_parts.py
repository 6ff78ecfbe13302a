"""The window's parts around its panels: workspaces, the start page and the records as centre
pages, window-wide keys, back/forward, each evidence's remembered frame and zoom, and the
analyst's name. ``WindowParts(window)`` installs them once the window's panels and menus exist.

The window is named by duck type (``MainWindow``): this module sits below it.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QTabBar, QWidget

from ui.case.analyst_bar import AnalystBar
from ui.case.export_actions import ExportActions
from ui.case.focus_keys import keep_navigation_keys_in_docks
from ui.case.navigation import Navigation, Place
from ui.case.records_panel import RecordsPanel
from ui.case.workspaces import Workspaces
from ui.claims.parts import ClaimsParts
from ui.descent.parts import DescentParts
from ui.osm.panel import osm_dock
from ui.sun.panel import sun_dock
from ui.video.transport import KEYS
from workbench.records import Record
from workbench.settings import save_settings

TRANSPORT_TEXT = {
    "toggle_play": "Play / pause",
    "step": "Step",
    "play": "Play",
    "pause": "Pause",
    "go_to": "First frame",
    "go_to_end": "Last frame",
    "focus_goto": "Go to frame or time…",
    "export_current": "Export this frame",
    "cut_here": "Cut here",
    "toggle_loupe": "Loupe",
    "toggle_overlays": "Overlays",
}


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: tall tools stay reachable on a 768-pixel screen."""
    area = QScrollArea()
    area.setObjectName("panel_scroll")
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


def hide_stale_tab_bars(w: QMainWindow) -> None:
    """Hide the dock tab bars Qt leaves on screen after docks are re-tabbed (a restored or
    re-arranged workspace can leave an old group's bar drawn over the new one): a bar is in
    use when a docked, visible dock it names sits right above or below it."""
    docks = {d.windowTitle(): d.geometry() for d in w.findChildren(QDockWidget)
             if d.isVisible() and not d.isFloating()}  # fmt: skip
    direct = Qt.FindChildOption.FindDirectChildrenOnly
    for bar in w.findChildren(QTabBar, options=direct):
        g = bar.geometry()
        near = [docks[t] for t in (bar.tabText(i) for i in range(bar.count())) if t in docks]
        if bar.isVisible() and not any(
            abs(d.left() - g.left()) <= 4
            and (abs(d.bottom() + 1 - g.top()) <= 3 or abs(g.bottom() + 1 - d.top()) <= 3)
            for d in near
        ):
            bar.hide()


class WindowParts(QObject):
    """Installs and holds the parts (module doc)."""

    @property
    def w(self) -> QMainWindow:
        return self.parent()

    def __init__(self, w: QMainWindow) -> None:
        super().__init__(w)  # the window, reached as ``parent()``: no reference cycle
        self.navigation = Navigation()
        self._pending_frame: dict[int, int] = {}
        self._pending_zoom: tuple[int | None, float | None] = (None, None)
        self.map_target: tuple[float, float] | None = None  # where "show on map" centres
        self.video_frame = self.picture_frame = None  # FrameRef last on screen in each viewer
        # The centre's pages share one minimum (a stack's): the widest must not widen the window.
        w.compare_panel.setMinimumWidth(640)
        header = w.evidence_panel.view.header()  # names in full, never "Ev..."
        header.setSectionResizeMode(0, header.ResizeMode.ResizeToContents)
        for button, text in ((w.video_panel.cut_button, "Cut (C)"),
                             (w.video_panel.detect_button, "Detect cuts"),
                             (w.video_panel.export_button, "Export (Ctrl+E)")):  # fmt: skip
            button.setToolTip(button.text())
            button.setText(text)
        self.records_panel = RecordsPanel(w.jobs)
        w.central.addWidget(self.records_panel)
        w.case_opened.connect(self.records_panel.set_case)
        w.changes.changed.connect(self.records_panel.on_change)
        self.records_panel.record_opened.connect(self.open_record)
        docks = {
            "evidence": w.evidence_dock,
            "metadata": w.metadata_dock,
            "source": w.source_dock,
            "notes": w.notes_dock,
            "log": w.log_dock,
            "map": w.map_dock,
            "geometry": w.geometry_dock,
        }
        self.claims = ClaimsParts(w)  # claims, timeline, linked video; the sound strip
        docks |= self.claims.docks()
        docks["sun"] = sun_dock(w, scrolled)  # the sun and the shadows' times (issue 17)
        docks["osm"] = osm_dock(w, scrolled)  # candidate places from OpenStreetMap (issue 16)
        self.descent = DescentParts(w, scrolled)  # the Track tool, the Descent dock (issue 14)
        docks |= self.descent.docks()
        self.workspaces = Workspaces(w, docks, self.show_centre)
        self.workspaces.switched.connect(self._on_workspaces_switched)
        self._build_navigation_actions()
        self._build_transport_actions()
        self.exports = ExportActions(w)
        self.exports.build_menu(w.file_menu)
        w.view_menu.addSeparator()
        reset = QAction("Reset layout", w)
        reset.setToolTip("Put back the current workspace's panels as they first were")
        reset.triggered.connect(self.workspaces.reset)
        w.view_menu.addAction(reset)
        self.analyst_bar = AnalystBar(w.settings, w)
        self.analyst_bar.name_saved.connect(self._on_analyst_bar_name_saved)
        w.addToolBarBreak()
        w.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.analyst_bar.toolbar)
        start = w.welcome
        start.sample_requested.connect(self.exports.open_sample_case)
        start.new_requested.connect(w.new_case_dialog)
        start.open_requested.connect(w.open_case_dialog)
        start.recent_chosen.connect(w.open_case_path)
        w.evidence_panel.view.clicked.connect(self._on_evidence_view_clicked)
        w.video_panel.frame_shown.connect(self._on_video_panel_frame_shown)
        w.video_panel.frame_on_screen.connect(self._on_video_panel_frame_on_screen)
        w.video_panel.table_loaded.connect(self._on_video_panel_table_loaded)

    def _on_workspaces_switched(self, _name: str) -> None:
        QTimer.singleShot(0, self._hide_stale_tab_bars)  # once the docks are laid out

    def _hide_stale_tab_bars(self) -> None:
        if shiboken6.isValid(self):  # the window may be gone by the time the timer fires
            hide_stale_tab_bars(self.w)

    # -- actions ------------------------------------------------------------------------------
    def _window_action(self, text: str, keys: str | QKeySequence, slot) -> QAction:
        action = QAction(text, self.w)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.w.addAction(action)
        return action

    def _build_navigation_actions(self) -> None:
        tb = self.workspaces.toolbar
        tb.addSeparator()
        self.back_action = self._window_action("◀ Back", "Alt+Left", lambda: self.go(-1))
        self.forward_action = self._window_action("Forward ▶", "Alt+Right", lambda: self.go(1))
        self.back_action.setToolTip("Back to what you looked at before (Alt+Left)")
        self.forward_action.setToolTip("Forward again (Alt+Right)")
        tb.addAction(self.back_action)
        tb.addAction(self.forward_action)
        self._update_history_actions()

    def _build_transport_actions(self) -> None:
        """The video keys as window actions: they work wherever the focus is in the window,
        while a video is in the centre, except where the focus keeps them: a text field, and
        for the arrows, Space, Home and End the map or a slider (ui.case.focus_keys)."""
        self.transport_actions: list[QAction] = []
        vp = self.w.video_panel
        for (key, mods), action in KEYS.items():
            if action == ("cut_here",):
                continue  # an edit of the case: only from the video itself, never a stray key
            text = TRANSPORT_TEXT.get(action[0], action[0])
            seq = QKeySequence(key.value | mods.value)
            qa = self._window_action(text, seq, functools.partial(vp._act, action))
            self.transport_actions.append(qa)
        self._enable_transport()
        self._dock_keys = keep_navigation_keys_in_docks(self.w)

    def _enable_transport(self) -> None:
        on = self.w.central.currentWidget() is self.w.video_panel
        for qa in self.transport_actions:
            qa.setEnabled(on)

    # -- the centre ---------------------------------------------------------------------------
    def evidence_page(self) -> QWidget:
        w = self.w
        if w.case is None:
            return w.welcome
        detail = w.reader.detail
        if detail is not None and detail.evidence.kind == "video":
            return w.video_panel
        return w.viewer

    def show_centre(self, kind: str) -> None:
        """Put the centre page of ``kind`` ("evidence", "compare", "records") on screen."""
        w = self.w
        page = {"compare": w.compare_panel, "records": self.records_panel}.get(kind)
        if w.case is None:
            page = w.welcome
        elif page is None:
            page = self.evidence_page()
        w.central.setCurrentWidget(page)
        if page is w.compare_panel or page is self.records_panel:
            w.geometry_tools.show_picture(None, None)  # no picture to measure on
        elif page is w.video_panel:
            w.geometry_tools.show_picture(w.video_panel.viewer, self.video_frame)
        elif page is w.viewer:
            w.geometry_tools.show_picture(w.viewer, self.picture_frame)
        self._enable_transport()

    def show_tool(self, show) -> None:
        """Open a geometry tool (``show``: the tools' show_*_tool) in the Geometry workspace."""
        if self.workspaces.current not in ("Geometry",):
            self.workspaces.switch("Geometry")
        show()
        self.w.geometry_dock.show()
        self.w.geometry_dock.raise_()

    def case_shown(self) -> None:
        """A case is open: its workspace's docks and centre (a picture until the evidence is
        read)."""
        self.workspaces.resume()
        self.show_centre(_centre(self.workspaces.current))

    def case_closed(self) -> None:
        self.workspaces.suspend()
        self.navigation.clear()
        self._pending_frame.clear()
        self.records_panel.set_case(None)
        self.claims.set_case(None)
        self.w.sun_panel.set_case(None)
        self.descent.set_case(None)
        self._update_history_actions()
        self._enable_transport()

    # -- evidence on screen -------------------------------------------------------------------
    def before_detail(self, evidence, again: bool) -> None:
        """An evidence is about to be shown: remember how the previous one was shown, and
        leave a workspace without the evidence in its centre when a new one was chosen."""
        vp = self.w.video_panel
        if vp.evidence is not None and vp.table is not None and vp.evidence.id != evidence.id:
            self.navigation.remember(vp.evidence.id, vp.current_index, vp.viewer.zoom)
        if not again and _centre(self.workspaces.current) != "evidence":
            self.workspaces.switch("Video")
        if evidence.kind == "video":
            view = self.navigation.view_of(evidence.id)
            if view.frame_index is not None and not again:
                self._pending_frame.setdefault(evidence.id, view.frame_index)
        else:
            self.navigation.visit(Place(evidence.id, None))
            self._update_history_actions()

    def put_in_centre(self, page: QWidget) -> None:
        """Show the evidence's ``page`` (video panel or viewer) where the evidence is shown."""
        w = self.w
        if page is w.viewer:
            self.picture_frame = None  # until the picture is in
        if w.central.currentWidget() in (w.viewer, w.video_panel):
            w.central.setCurrentWidget(page)
        self._enable_transport()

    def _on_video_panel_table_loaded(self, _count: int) -> None:
        vp = self.w.video_panel
        if vp.evidence is None:
            return
        frame = self._pending_frame.pop(vp.evidence.id, None)
        if frame is not None:
            vp.go_to(frame)
            self._pending_zoom = (vp.evidence.id, self.navigation.view_of(vp.evidence.id).zoom)

    def _on_video_panel_frame_on_screen(self, frame) -> None:
        self.video_frame = frame

    def _on_video_panel_frame_shown(self, index: int) -> None:
        vp = self.w.video_panel
        evidence_id, zoom = self._pending_zoom
        if vp.evidence is not None and evidence_id == vp.evidence.id and zoom is not None:
            vp.viewer.actual_size()  # the first frame is in: the zoom it was left at
            vp.viewer.scale(zoom, zoom)
        self._pending_zoom = (None, None)
        if vp.evidence is not None and vp.evidence.id not in self._pending_frame:
            self.navigation.visit(Place(vp.evidence.id, index))
            self.navigation.travelling = False
            self._update_history_actions()

    def go(self, step: int) -> None:
        place = self.navigation.go(step)
        self._update_history_actions()
        if place is not None:
            self.navigation.travelling = True
            self.show_place(place.evidence_id, place.frame_index)

    def show_place(self, evidence_id: int, frame_index: int | None) -> None:
        """Select the evidence and show ``frame_index`` (a video's) once it is on screen."""
        w = self.w
        vp = w.video_panel
        if vp.evidence is not None and vp.evidence.id == evidence_id and vp.table is not None:
            if _centre(self.workspaces.current) != "evidence":
                self.workspaces.switch("Video")
            if frame_index is not None:
                vp.go_to(frame_index)
            self.navigation.travelling = False
            return
        if frame_index is not None:
            self._pending_frame[evidence_id] = frame_index
        if w.evidence_panel.current_id() == evidence_id:
            w.reader.read_detail(evidence_id)
        else:
            w.evidence_panel.select(evidence_id)
        if frame_index is None:
            self.navigation.travelling = False

    def _update_history_actions(self) -> None:
        self.back_action.setEnabled(self.navigation.can_go(-1))
        self.forward_action.setEnabled(self.navigation.can_go(1))

    def _on_evidence_view_clicked(self, _index) -> None:
        """A click on the evidence list (the selected one too) leaves Compare and Records."""
        if _centre(self.workspaces.current) != "evidence":
            self.workspaces.switch("Video")

    # -- records ------------------------------------------------------------------------------
    def open_record(self, record: Record) -> None:
        """Show what ``record`` refers to: its evidence at its frame, else its place on the
        map, else the folder of its file."""
        if record.evidence_id is not None:
            self.show_place(record.evidence_id, record.frame_index)
        elif record.lat_deg is not None and record.lon_deg is not None:
            self.show_on_map(record.lat_deg, record.lon_deg)
        elif record.path:
            self.exports.announce(record.title, record.path)

    def show_on_map(self, lat_deg: float, lon_deg: float) -> None:
        """The Map workspace, centred on the place (once its page is in, if it is loading)."""
        self.workspaces.switch("Map")
        self.w.map_dock.raise_()
        self.map_target = (lat_deg, lon_deg)
        panel = self.w.map_panel
        if panel.loaded:
            self._centre_map()
        else:
            panel.page_loaded.connect(self._centre_map, Qt.ConnectionType.SingleShotConnection)

    def _centre_map(self, *_args: object) -> None:
        if self.map_target is None:
            return
        lat, lon = self.map_target
        self.w.map_panel.run_js(f"GW.setView({float(lat)!r}, {float(lon)!r}, 17)")

    # -- the analyst --------------------------------------------------------------------------
    def _on_analyst_bar_name_saved(self, name: str) -> None:
        settings = replace(self.w.settings, analyst_name=name, analyst_asked=True)
        save_settings(settings)
        self.w.apply_settings(settings)


def _centre(workspace: str) -> str:
    from ui.case.workspaces import BY_NAME

    ws = BY_NAME.get(workspace)
    return ws.centre if ws is not None else "evidence"
