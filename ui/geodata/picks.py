"""MapPicks: what the analyst points at on the map, for the tools that pick landmarks there.

The map emits; the frame tools listen. The main window hands the same object to both, so a
tool that lets the analyst choose a landmark by clicking it on the map never imports the map.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class MapPicks(QObject):
    """Signals of map clicks that choose something (module doc)."""

    landmark_picked = Signal(int)  # a landmark, camera or target clicked on the map: its id
    point_placed = Signal(str, float, float)  # a map tool placed a point: tool, lat, lon
