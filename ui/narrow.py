"""Keeping dock contents within a 1366 x 768 screen's docks (about 390 px wide).

A row of buttons that does not wrap, or a combo box as wide as its longest item, widens a
dock's content until the dock scrolls sideways and hides its right edge. ``FlowLayout`` wraps
widgets onto new rows (its minimum width is its widest item; its height follows the width,
``heightForWidth``, so the rows it needs are reserved); ``button_grid`` puts buttons in rows of
two; ``let_combos_shrink`` elides a combo box's long text (its list still shows it whole).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLayout, QLayoutItem, QWidget

DEFAULT_SPACING_PX = 6
COMBO_CHARACTERS = 10  # the shortest a combo box's text may become before it elides


def button_grid(buttons: Sequence[QWidget], columns: int = 2) -> QGridLayout:
    """``buttons`` in rows of ``columns``, in reading order."""
    grid = QGridLayout()
    grid.setContentsMargins(0, 0, 0, 0)
    for n, button in enumerate(buttons):
        grid.addWidget(button, n // columns, n % columns)
    return grid


def let_combos_shrink(widget: QWidget) -> None:
    """Every combo box under ``widget`` sized by a short text rather than its longest item."""
    for combo in widget.findChildren(QComboBox):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(COMBO_CHARACTERS)


class FlowLayout(QLayout):
    """Widgets left to right, wrapping onto a new row when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = DEFAULT_SPACING_PX) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's interface ------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Everything on one row."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self._gap * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height) + self._margins()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """The widest item alone on its row."""
        size = QSize(0, 0)
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return size + self._margins()

    # -- placing --------------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _margins(self) -> QSize:
        m = self.contentsMargins()
        return QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); return the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            width = max(item.minimumSize().width(), min(hint.width(), area.width()))
            if x > area.x() and x + width > area.x() + area.width():
                x, y, row_height = area.x(), y + row_height + self._gap, 0
            height = item.heightForWidth(width) if item.hasHeightForWidth() else hint.height()
            if place:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, height)))
            x += width + self._gap
            row_height = max(row_height, height)
        return y + row_height - rect.y() + m.bottom()
