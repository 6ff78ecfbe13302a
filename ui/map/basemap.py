"""BasemapButton: the map's basemap menu (offline grid, MBTiles file, tile folder, XYZ URL).

Choosing only emits ``basemap_chosen`` with a ``workbench.tiles.BasemapConfig``; the panel
stores it in the case and rebuilds the page. Remote downloads are a separate, explicit switch
whose label says what it costs: each tile request tells the provider where the analyst looks.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QToolButton, QWidget

from workbench.tiles import BasemapConfig, TileError

REMOTE_LABEL = "Download missing tiles from the URL (tells the provider where you look)"


class BasemapButton(QToolButton):
    """A tool button with the basemap menu; ``set_config`` shows the case's choice."""

    basemap_chosen = Signal(object)  # BasemapConfig
    choice_refused = Signal(str)
    fetch_requested = Signal()  # the analyst asked for this view's tiles (ui.map.tile_fetch)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = BasemapConfig()
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        menu.addAction("Offline grid (no tile requests)", lambda: self._choose(BasemapConfig()))
        menu.addAction("Local MBTiles file…", self._ask_mbtiles)
        menu.addAction("Folder of XYZ tiles…", self._ask_folder)
        menu.addAction("XYZ tile URL with a local cache…", self._ask_xyz)
        menu.addSeparator()
        self.remote_action = menu.addAction(REMOTE_LABEL)
        self.remote_action.setCheckable(True)
        self.remote_action.toggled.connect(self._on_remote_action_toggled)
        self.fetch_action = menu.addAction(
            "Fetch this view's tiles for offline use…", self.fetch_requested.emit
        )
        self.setMenu(menu)
        self.set_config(self.config)

    def set_config(self, config: BasemapConfig) -> None:
        self.config = config
        self.remote_action.blockSignals(True)
        self.remote_action.setChecked(config.remote_enabled)
        self.remote_action.blockSignals(False)
        self.remote_action.setEnabled(config.kind == "xyz")
        self.fetch_action.setEnabled(config.kind == "xyz" and config.remote_enabled)
        label = {"none": "grid", "xyz": "XYZ cache", "mbtiles": "MBTiles", "folder": "folder"}
        online = " + downloads" if config.kind == "xyz" and config.remote_enabled else ""
        self.setText(f"Basemap: {label[config.kind]}{online}")

    def _choose(self, config: BasemapConfig) -> None:
        self.basemap_chosen.emit(config)

    def _build(self, **fields: object) -> None:
        try:
            self._choose(BasemapConfig(**fields))  # type: ignore[arg-type]
        except TileError as exc:
            self.choice_refused.emit(str(exc))

    def _ask_mbtiles(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "MBTiles basemap", "", "MBTiles (*.mbtiles)")
        if path:
            self._build(kind="mbtiles", path=path)

    def _ask_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of tiles laid out as z/x/y.png")
        if path:
            self._build(kind="folder", path=path)

    def _ask_xyz(self) -> None:
        current = self.config.url_template or "https://"
        url, ok = QInputDialog.getText(
            self, "XYZ tile URL", "URL template with {z}, {x} and {y}:", text=current
        )
        if ok and url.strip():
            self._build(kind="xyz", url_template=url.strip(), remote_enabled=False)

    def _on_remote_action_toggled(self, checked: bool) -> None:
        if self.config.kind == "xyz":
            self._choose(replace(self.config, remote_enabled=checked))
