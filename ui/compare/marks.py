"""Points and boxes marked by hand on A and B in the Compare panel's pair view, undoably.

* ``MarkDraft``: the marks of one pair of views, as a list of entries ``[mark in A, mark in B]``
  (either may still be missing). A click on one side fills the first entry that lacks that
  side, else starts a new entry: click in A, click in B, repeat (B first works too).
* The edits (add, move, delete) are QUndoCommands on the window's undo stack; they change only
  the draft (nothing is in the case until the figure is saved, and that is audited). When the
  views change the draft starts again, and older commands become no-ops.
* ``MarkLayer`` draws the draft over a ``PairView`` and turns mouse events on its viewport
  into edits while marking is on: a click places a point, a drag on empty picture draws a box,
  a drag on a mark moves it, a right click (or Delete) removes its pair.

Coordinates: marks are in each image's pixels with pixel centres at integers
(``workbench.correspondence.model``); A's scene units are its pixels with edges at integers
(``PairView``), so a centre is at scene (x + 0.5, y + 0.5); B sits at ``b_to_scene``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen, QTransform, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from ui.compare.views import PairView
from workbench.correspondence.draw import colour_of
from workbench.correspondence.model import Mark, Pair

Entry = tuple[Mark | None, Mark | None]
GRAB_PX = 10  # how close (screen pixels) to a mark a press grabs it
DRAG_PX = 5  # a press that moves farther than this draws a box instead of placing a point
RING_PX = 9


class MarkDraft(QObject):
    """The marks of one pair of views (see the module docstring)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[Entry] = []
        self.views: tuple | None = None  # (ViewRef A, ViewRef B) the marks belong to
        self.generation = 0  # bumped by reset: commands of an earlier draft do nothing

    def reset(self, views: tuple | None) -> None:
        self.entries, self.views = [], views
        self.generation += 1
        self.changed.emit()

    def slot_for(self, side: int) -> int:
        """The entry a new mark on ``side`` (0 = A, 1 = B) goes to (``len`` for a new one)."""
        return next((k for k, e in enumerate(self.entries) if e[side] is None), len(self.entries))

    def set(self, index: int, side: int, mark: Mark | None) -> None:
        if index == len(self.entries):
            self.entries.append((None, None))
        entry = list(self.entries[index])
        entry[side] = mark
        self.entries[index] = (entry[0], entry[1])
        while self.entries and self.entries[-1] == (None, None):
            self.entries.pop()
        self.changed.emit()

    def remove(self, index: int) -> Entry:
        entry = self.entries.pop(index)
        self.changed.emit()
        return entry

    def insert(self, index: int, entry: Entry) -> None:
        self.entries.insert(index, entry)
        self.changed.emit()

    def pairs(self) -> list[Pair]:
        """The complete pairs, in order."""
        return [Pair(a, b) for a, b in self.entries if a is not None and b is not None]

    def incomplete(self) -> list[int]:
        """Numbers (from 1) of the entries that lack a side."""
        return [k for k, (a, b) in enumerate(self.entries, 1) if a is None or b is None]


class SetMarkCommand(QUndoCommand):
    """Place, move or (with ``new=None``) take back one mark."""

    def __init__(self, draft: MarkDraft, index: int, side: int, old, new, text: str) -> None:
        super().__init__(text)
        self._draft, self._gen = draft, draft.generation
        self._index, self._side, self._old, self._new = index, side, old, new

    def redo(self) -> None:
        if self._draft.generation == self._gen:
            self._draft.set(self._index, self._side, self._new)

    def undo(self) -> None:
        if self._draft.generation == self._gen:
            self._draft.set(self._index, self._side, self._old)


class DeletePairCommand(QUndoCommand):
    def __init__(self, draft: MarkDraft, index: int) -> None:
        super().__init__(f"delete marked pair {index + 1}")
        self._draft, self._gen, self._index = draft, draft.generation, index
        self._entry: Entry | None = None

    def redo(self) -> None:
        if self._draft.generation == self._gen and self._index < len(self._draft.entries):
            self._entry = self._draft.remove(self._index)

    def undo(self) -> None:
        if self._draft.generation == self._gen and self._entry is not None:
            self._draft.insert(self._index, self._entry)


def _tenths(x: float, y: float, w: float = 0.0, h: float = 0.0) -> Mark:
    """A mark to a tenth of a pixel (a hand's click is no finer), as plain floats."""
    return Mark(*(round(float(v), 1) for v in (x, y, w, h)))


@dataclass
class _Gesture:
    side: int
    start: QPointF  # viewport position of the press
    start_px: tuple[float, float]  # image pixel of the press
    grabbed: int | None = None  # entry index of a grabbed mark
    preview: QGraphicsRectItem | None = None


class MarkLayer(QObject):
    """Draws a MarkDraft over a PairView and edits it with the mouse (module docstring)."""

    selected_changed = Signal(int)  # entry index, -1 for none

    def __init__(self, view: PairView, draft: MarkDraft, undo_stack: QUndoStack) -> None:
        super().__init__(view)
        self.view, self.draft, self.undo_stack = view, draft, undo_stack
        self.active = False
        self.sizes: tuple[tuple[int, int], tuple[int, int]] | None = None  # (w, h) of A and B
        self.selected = -1
        self._items: list[QGraphicsItem] = []
        self._gesture: _Gesture | None = None
        draft.changed.connect(self.redraw)
        view.viewport().installEventFilter(self)  # the mouse
        view.installEventFilter(self)  # the keys (the view has the focus)

    def set_active(self, on: bool) -> None:
        self.active = on
        mode = QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag
        self.view.setDragMode(mode)
        cursor = Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor
        self.view.viewport().setCursor(cursor)

    # -- coordinates ----------------------------------------------------------------------
    def _b_map(self) -> tuple[np.ndarray, float]:
        origin = self.view.b_to_scene(np.zeros((1, 2)))[0]
        return origin, float(self.view.b_to_scene(np.ones((1, 2)))[0, 0] - origin[0])

    def to_scene(self, side: int, x: float, y: float) -> QPointF:
        """An image pixel (centres at integers) of A (0) or B (1) in scene units."""
        if side == 0:
            return QPointF(x + 0.5, y + 0.5)
        origin, s = self._b_map()
        return QPointF(origin[0] + (x + 0.5) * s, origin[1] + (y + 0.5) * s)

    def pixel_at(self, scene: QPointF) -> tuple[int, float, float] | None:
        """(side, x, y) of the image pixel under a scene point, or None off both images."""
        if self.sizes is None:
            return None
        (wa, ha), (wb, hb) = self.sizes
        if 0 <= scene.x() < wa and 0 <= scene.y() < ha:
            return 0, scene.x() - 0.5, scene.y() - 0.5
        origin, s = self._b_map()
        x, y = (scene.x() - origin[0]) / s - 0.5, (scene.y() - origin[1]) / s - 0.5
        if -0.5 <= x < wb - 0.5 and -0.5 <= y < hb - 0.5:
            return 1, x, y
        return None

    def _viewport_of(self, side: int, x: float, y: float) -> QPointF:
        return QPointF(self.view.mapFromScene(self.to_scene(side, x, y)))

    def mark_at(self, side: int, viewport_pos: QPointF) -> int | None:
        """The entry whose mark on ``side`` is under (or within GRAB_PX of) a viewport point."""
        best, best_d = None, float(GRAB_PX)
        for k, entry in enumerate(self.draft.entries):
            mark = entry[side]
            if mark is None:
                continue
            if mark.is_box:
                p0 = self._viewport_of(side, mark.x, mark.y)
                p1 = self._viewport_of(side, mark.x + mark.w, mark.y + mark.h)
                if QRectF(p0, p1).normalized().adjusted(-3, -3, 3, 3).contains(viewport_pos):
                    return k
                continue
            d = (self._viewport_of(side, mark.x, mark.y) - viewport_pos).manhattanLength()
            if d <= best_d:
                best, best_d = k, d
        return best

    # -- drawing --------------------------------------------------------------------------
    def redraw(self) -> None:
        scene = self.view.scene()
        for item in self._items:
            if item.scene() is scene:
                scene.removeItem(item)
        self._items.clear()
        if self.sizes is None:
            return
        for k, entry in enumerate(self.draft.entries):
            for side, mark in enumerate(entry):
                if mark is not None:
                    self._draw(k, side, mark, complete=None not in entry)

    def _draw(self, index: int, side: int, mark: Mark, *, complete: bool) -> None:
        colour = QColor(*colour_of(index + 1))
        pen = QPen(colour, 4 if index == self.selected else 3)
        pen.setCosmetic(True)
        if not complete:
            pen.setStyle(Qt.PenStyle.DashLine)  # waiting for its mark on the other side
        if mark.is_box:
            p0 = self.to_scene(side, mark.x, mark.y)
            p1 = self.to_scene(side, mark.x + mark.w, mark.y + mark.h)
            shape: QGraphicsItem = QGraphicsRectItem(QRectF(p0, p1).normalized())
            shape.setPen(pen)
            anchor = p0
        else:
            shape = QGraphicsEllipseItem(-RING_PX, -RING_PX, 2 * RING_PX, 2 * RING_PX)
            shape.setPen(pen)
            shape.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            anchor = self.to_scene(side, mark.x, mark.y)
            shape.setPos(anchor)
        label = QGraphicsSimpleTextItem(str(index + 1))
        label.setBrush(colour)
        label.setPen(QPen(QColor(0, 0, 0), 0.5))  # a dark edge: readable on any picture
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        label.setPos(anchor)
        # offset in screen pixels (the item ignores the view's zoom): beside a point's ring,
        # above a box's corner
        offset = (0, -18) if mark.is_box else (RING_PX, -RING_PX - 14)
        label.setTransform(QTransform.fromTranslate(*offset))
        for item in (shape, label):
            item.setZValue(5)
            self.view.scene().addItem(item)
            self._items.append(item)

    @property
    def item_count(self) -> int:
        return len(self._items)

    # -- the mouse --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if not self.active or self.sizes is None:
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress and event.key() in (
            Qt.Key.Key_Delete,
            Qt.Key.Key_Backspace,
        ):
            self.delete_pair(self.selected)
            return True
        if kind == QEvent.Type.MouseButtonPress:
            return self._press(event)
        if kind == QEvent.Type.MouseMove and self._gesture is not None:
            self._move(event.position())
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._gesture is not None:
            self._release(event.position())
            return True
        return False

    def _press(self, event) -> bool:
        pos = event.position()
        hit = self.pixel_at(self.view.mapToScene(pos.toPoint()))
        if hit is None:
            return True  # off the pictures: nothing to mark, no pan while marking
        side, x, y = hit
        grabbed = self.mark_at(side, pos)
        if event.button() == Qt.MouseButton.RightButton:
            if grabbed is not None:
                self.delete_pair(grabbed)
            return True
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        self._gesture = _Gesture(side, QPointF(pos), (x, y), grabbed)
        if grabbed is not None:
            self._select(grabbed)
        return True

    def _move(self, pos: QPointF) -> None:
        g = self._gesture
        assert g is not None
        if g.grabbed is not None or (pos - g.start).manhattanLength() <= DRAG_PX:
            return
        end = self._clamped(g.side, pos)
        rect = QRectF(self.to_scene(g.side, *g.start_px), self.to_scene(g.side, *end))
        if g.preview is None:
            g.preview = QGraphicsRectItem()
            pen = QPen(QColor(*colour_of(self.draft.slot_for(g.side) + 1)), 1)
            pen.setCosmetic(True)
            pen.setStyle(Qt.PenStyle.DotLine)
            g.preview.setPen(pen)
            self.view.scene().addItem(g.preview)
        g.preview.setRect(rect.normalized())

    def _clamped(self, side: int, pos: QPointF) -> tuple[float, float]:
        """The image pixel of a viewport point on ``side``, kept on that image."""
        scene = self.view.mapToScene(pos.toPoint())
        if side == 0:
            x, y = scene.x() - 0.5, scene.y() - 0.5
        else:
            origin, s = self._b_map()
            x, y = (scene.x() - origin[0]) / s - 0.5, (scene.y() - origin[1]) / s - 0.5
        w, h = self.sizes[side]  # type: ignore[index]
        return min(max(x, -0.5), w - 0.5), min(max(y, -0.5), h - 0.5)

    def _release(self, pos: QPointF) -> None:
        g, self._gesture = self._gesture, None
        assert g is not None
        if g.preview is not None:
            self.view.scene().removeItem(g.preview)
        moved = (pos - g.start).manhattanLength() > DRAG_PX
        end = self._clamped(g.side, pos)
        if g.grabbed is not None:
            if moved:
                old = self.draft.entries[g.grabbed][g.side]
                dx, dy = end[0] - g.start_px[0], end[1] - g.start_px[1]
                moved_to = old.moved_to(old.centre[0] + dx, old.centre[1] + dy)
                new = _tenths(*moved_to.to_list())
                self._push(g.grabbed, g.side, new, f"move mark {g.grabbed + 1}")
            return
        if moved:  # a box from the press to the release
            (x0, y0), (x1, y1) = g.start_px, end
            mark = _tenths(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
        else:
            mark = _tenths(*g.start_px)
        index = self.draft.slot_for(g.side)
        self._push(index, g.side, mark, f"mark {index + 1} in {'AB'[g.side]}")
        self._select(index)

    def _push(self, index: int, side: int, new: Mark, text: str) -> None:
        old = self.draft.entries[index][side] if index < len(self.draft.entries) else None
        self.undo_stack.push(SetMarkCommand(self.draft, index, side, old, new, text))

    def delete_pair(self, index: int) -> None:
        if 0 <= index < len(self.draft.entries):
            self.undo_stack.push(DeletePairCommand(self.draft, index))
            self._select(-1)

    def _select(self, index: int) -> None:
        self.selected = index
        self.redraw()
        self.selected_changed.emit(index)
