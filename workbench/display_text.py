"""How user text and sizes are shown: writing direction (Arabic, Hebrew), readable sizes."""

from __future__ import annotations

import unicodedata


def is_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left (Arabic, Hebrew).

    This is rule P2 of the Unicode Bidirectional Algorithm (UAX #9): the paragraph direction
    is that of its first strong character.
    """
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def human_size(size_bytes: int) -> str:
    """A byte count as people read it: 512 B, 1.5 KB, 3.2 MB, 4.0 GB (powers of 1024)."""
    value = float(size_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
