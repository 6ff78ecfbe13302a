"""The video panel's transport: its buttons and keys as data, and the line that describes the
frame on screen.

A button or a key names an action: a method of the panel and its arguments (``("step", -10)``),
so the same table says what the toolbar and the keyboard do. A key map instead of window
shortcuts: the keys must work wherever the panel sits (a dock, the main window, alone) without
stealing them from other panels.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from analysis.video.decode import time_code
from analysis.video.table import FrameTable
from ui.video.worker import DecodedFrame
from workbench.video_store import StoredSegment

Action = tuple  # (method name of the panel, *arguments)

_K, _M = Qt.Key, Qt.KeyboardModifier
_NONE, _SHIFT, _CTRL = _M.NoModifier, _M.ShiftModifier, _M.ControlModifier

# (attribute of the panel or "", text, tooltip, action, checkable), in toolbar order
TOOL_BUTTONS: tuple[tuple[str, str, str, Action, bool], ...] = (
    ("", "Home", "First frame (Home)", ("go_to", 0), False),
    ("", "−10", "Back ten frames (Shift+Left)", ("step", -10), False),
    ("", "−1", "Back one frame (Left)", ("step", -1), False),
    ("play_button", "▶", "Play / pause (Space)", ("toggle_play",), False),
    ("", "+1", "Forward one frame (Right)", ("step", 1), False),
    ("", "+10", "Forward ten frames (Shift+Right)", ("step", 10), False),
    ("", "End", "Last frame (End)", ("go_to_end",), False),
)
VIEW_BUTTONS: tuple[tuple[str, str, str, Action, bool], ...] = (
    ("loupe_button", "Loupe", "Magnifier (M)", ("toggle_loupe",), True),
    ("enhance_button", "Enhance", "Display enhancements (shown pixels only)",
     ("toggle_enhance",), True),
    ("overlays_button", "Overlays", "Active picture and static overlays (logos, time stamps)"
     " outlined; duplicated and blended frames on the timeline (O)", ("toggle_overlays",), True),
    ("annotate_button", "Annotate", "Draw points, lines, arrows, boxes, polygons and texts on"
     " the frame, listed beside it (A)", ("toggle_annotate",), True),
)  # fmt: skip
# (attribute of the panel, text, action): the edits after the stretch
PUSH_BUTTONS: tuple[tuple[str, str, Action], ...] = (
    ("cut_button", "Cut here (C)", ("cut_here",)),
    ("detect_button", "Detect cuts", ("detect_cuts",)),
    ("export_button", "Export frame (Ctrl+E)", ("export_current",)),
)
KEYS: dict[tuple[Qt.Key, Qt.KeyboardModifier], Action] = {
    (_K.Key_Space, _NONE): ("toggle_play",),
    (_K.Key_Right, _NONE): ("step", 1),
    (_K.Key_Left, _NONE): ("step", -1),
    (_K.Key_Right, _SHIFT): ("step", 10),
    (_K.Key_Left, _SHIFT): ("step", -10),
    (_K.Key_J, _NONE): ("play", -1),
    (_K.Key_K, _NONE): ("pause",),
    (_K.Key_L, _NONE): ("play", 1),
    (_K.Key_Home, _NONE): ("go_to", 0),
    (_K.Key_End, _NONE): ("go_to_end",),
    (_K.Key_G, _CTRL): ("focus_goto",),
    (_K.Key_E, _CTRL): ("export_current",),
    (_K.Key_E, _SHIFT): ("export_current", True),  # annotations burned in (not Ctrl+Shift+E:
    # the window's Export report)
    (_K.Key_C, _NONE): ("cut_here",),
    (_K.Key_M, _NONE): ("toggle_loupe",),
    (_K.Key_O, _NONE): ("toggle_overlays",),
    (_K.Key_A, _NONE): ("toggle_annotate",),
}


def transport_row(
    act: Callable[[Action], None], goto_edit: QWidget
) -> tuple[QHBoxLayout, dict[str, QAbstractButton]]:
    """The buttons in toolbar order, each calling ``act(action)``; the named ones by name."""
    row = QHBoxLayout()
    named: dict[str, QAbstractButton] = {}
    for attribute, text, tip, action, checkable in TOOL_BUTTONS + VIEW_BUTTONS:
        if attribute == "loupe_button":
            row.addWidget(goto_edit)
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setCheckable(checkable)
        b.clicked.connect(functools.partial(act, action))
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the keys for the transport
        row.addWidget(b)
        if attribute:
            named[attribute] = b
    row.addStretch(1)
    for attribute, text, action in PUSH_BUTTONS:
        b = QPushButton(text)
        b.clicked.connect(functools.partial(act, action))
        b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(b)
        named[attribute] = b
    return row, named


def key_action(event: QKeyEvent) -> Action | None:
    """The action of a key press (Shift, Ctrl and Alt count; keypad and the like do not)."""
    mods = event.modifiers() & (_SHIFT | _CTRL | _M.AltModifier)
    return KEYS.get((Qt.Key(event.key()), mods))


def frame_info(
    shown: DecodedFrame,
    table: FrameTable,
    segments: Sequence[StoredSegment],
    direction: int,
    speed: int,
) -> str:
    """The line under the frame: index, pts, time code, md5, segment, warnings, playback."""
    f = shown.frame
    pts_s = "?" if f.pts_s is None else f"{f.pts_s:.6f}"
    parts = [
        f"frame {f.index} / {len(table) - 1}",
        f"pts {f.pts} ({pts_s} s)",
        f"time {time_code(f.time_s)}",
        "keyframe" if f.keyframe else "",
        f"md5 {f.md5[:12]}",
    ]
    starts = [seg.first_frame for seg in segments]
    k = bisect.bisect_right(starts, f.index) - 1
    if segments and k >= 0:
        parts.append(f"segment {k + 1}/{len(segments)}")
    if any(a <= f.index <= b for a, b in shown.sequential_only):
        parts.append("⚠ sequential-only stretch (seeking here gave other pictures)")
    if not shown.enhancements.is_identity:
        parts.append("ENHANCED (display only)")
    if direction:
        parts.append(f"{'◀' if direction < 0 else '▶'} {speed}x")
    return "   ".join(p for p in parts if p)
