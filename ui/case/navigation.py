"""Where the analyst has looked: each evidence's frame and zoom, and a back/forward history of
(evidence, frame) places (Alt+Left, Alt+Right).

Pure bookkeeping, no widgets: the window records what it shows and asks where to go back to.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_HISTORY = 200


@dataclass(frozen=True)
class Place:
    """An evidence on screen and its frame (None: a still picture)."""

    evidence_id: int
    frame_index: int | None = None


@dataclass(frozen=True)
class View:
    """How an evidence was last shown: its frame and the viewer's zoom (None: fitted)."""

    frame_index: int | None = None
    zoom: float | None = None


class Navigation:
    """Per-evidence views and the place history (module doc)."""

    def __init__(self) -> None:
        self.views: dict[int, View] = {}
        self.history: list[Place] = []
        self.pos = -1
        self.travelling = False  # moving through the history: do not record

    def remember(self, evidence_id: int, frame_index: int | None, zoom: float | None) -> None:
        self.views[evidence_id] = View(frame_index, zoom)

    def view_of(self, evidence_id: int) -> View:
        return self.views.get(evidence_id, View())

    def visit(self, place: Place) -> None:
        """The analyst looks at ``place``: a new step, unless it continues the last one (the
        same evidence: its frame is updated in place, so stepping frames is one step)."""
        if self.travelling:
            return
        current = self.current()
        if current is not None and current.evidence_id == place.evidence_id:
            self.history[self.pos] = place
            return
        del self.history[self.pos + 1 :]
        self.history.append(place)
        if len(self.history) > MAX_HISTORY:
            del self.history[0]
        self.pos = len(self.history) - 1

    def current(self) -> Place | None:
        return self.history[self.pos] if 0 <= self.pos < len(self.history) else None

    def can_go(self, step: int) -> bool:
        return 0 <= self.pos + step < len(self.history)

    def go(self, step: int) -> Place | None:
        """The place ``step`` back (-1) or forward (+1); None at either end."""
        if not self.can_go(step):
            return None
        self.pos += step
        return self.history[self.pos]

    def clear(self) -> None:
        self.views.clear()
        self.history.clear()
        self.pos = -1
