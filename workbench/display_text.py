"""Small text facts the UI and reports need, kept Qt-free."""

from __future__ import annotations

import html
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


def escape_html(text: str) -> str:
    """Escape user text for HTML element content and attribute values."""
    return html.escape(text, quote=True)


def human_size(size_bytes: int) -> str:
    value = float(size_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
