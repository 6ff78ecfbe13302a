"""File names that are not valid UTF-8, kept losslessly and shown safely.

On POSIX a file name is bytes; Python hands one that is not valid UTF-8 over with each bad
byte as a lone surrogate (PEP 383 ``surrogateescape``: ``b"caf\\xe9.jpg"`` is
``"caf\\udce9.jpg"``). Such a string cannot be encoded as UTF-8, so it can enter neither
SQLite, nor canonical JSON, nor a provenance sidecar. Everywhere a name is stored it is
therefore split in two:

- the *display name*: the bytes decoded as UTF-8 with each bad sequence replaced by U+FFFD
  (``"caf\\ufffd.jpg"``), what every screen, report and message shows;
- the *raw bytes* as hex digits (``"636166e92e6a7067"``), only for such names (None for every
  valid name), from which the exact name is rebuilt (``name_bytes``, ``os_name``).
"""

from __future__ import annotations

import os
import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def is_valid_text(name: str) -> bool:
    """Whether ``name`` holds no lone surrogate (so encodes as UTF-8 as it is)."""
    return _SURROGATE.search(name) is None


def display_name(name: str | os.PathLike[str]) -> str:
    """``name`` as text that can be stored and shown: bad bytes become U+FFFD."""
    text = os.fspath(name)
    if is_valid_text(text):
        return text
    return os.fsencode(text).decode("utf-8", errors="replace")


def name_bytes_hex(name: str | os.PathLike[str]) -> str | None:
    """The name's raw bytes as hex digits, or None when the name is valid UTF-8 text."""
    text = os.fspath(name)
    if is_valid_text(text):
        return None
    return os.fsencode(text).hex()


def name_bytes(display: str, bytes_hex: str | None) -> bytes:
    """The exact bytes of a stored name (its hex form when it has one, else its UTF-8)."""
    return bytes.fromhex(bytes_hex) if bytes_hex else display.encode("utf-8")


def os_name(display: str, bytes_hex: str | None) -> str:
    """The stored name as the operating system's string (surrogate-escaped where needed)."""
    return os.fsdecode(name_bytes(display, bytes_hex))
