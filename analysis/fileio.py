"""Writing files so that a crash never leaves half of one: a temporary file, then os.replace."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and os.replace.

    The temporary file is flushed and fsynced before the rename, and removed if anything fails.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_temporary_name(name: str) -> bool:
    """Whether ``name`` is a temporary file a writer here leaves only when it crashes
    mid-write: ``.NAME.XXXX.tmp`` (``write_bytes_atomic``), ``NAME.tmp``, ``NAME.tmp.png``."""
    return name.endswith((".tmp", ".tmp.png"))


def write_text_atomic(path: Path | str, text: str) -> None:
    """UTF-8 text with LF line ends, written as ``write_bytes_atomic`` does."""
    write_bytes_atomic(path, text.encode("utf-8"))
