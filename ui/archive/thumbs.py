"""Keyframe thumbnails for the Archive window: read and scaled off the GUI thread (quiet jobs),
kept in a bounded cache, announced when ready.

A view asks ``pixmap(path)``; the first ask starts the load and returns None, and
``thumbnail_loaded(path)`` follows on the GUI thread. Only the rows a view draws ask, so a
catalog of a million contents loads the few hundred thumbnails on screen.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPixmap

from analysis.jobs import CancelToken, ProgressFn
from ui.jobs import JobRunner

THUMB_SIZE = QSize(160, 120)
CACHE_ENTRIES = 3000


def load_thumbnail(
    path: Path, size: QSize, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> QImage:
    """The picture at ``path`` scaled to fit ``size`` (a null image when it cannot be read).

    A keyframe path that does not exist (a shot too short to have a keyframe) gives the
    nearest shot's keyframe in the same folder.
    """
    if not path.exists() and path.stem.isdigit():
        found = [p for p in path.parent.glob("*.jpg") if p.stem.isdigit()]
        path = min(found, key=lambda p: abs(int(p.stem) - int(path.stem)), default=path)
    image = QImage(str(path))
    if image.isNull():
        return image
    return image.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class ThumbnailCache(QObject):
    """Pixmaps by path, loaded by quiet jobs (module doc)."""

    thumbnail_loaded = Signal(str)

    def __init__(self, jobs: JobRunner, size: QSize = THUMB_SIZE, parent=None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.size = size
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._placeholder: QPixmap | None = None

    def placeholder(self) -> QPixmap:
        """A grey picture of the thumbnail's size: shown until the keyframe is read, so
        every item of a view has its final size from the start."""
        if self._placeholder is None:
            self._placeholder = QPixmap(self.size)
            self._placeholder.fill(QColor("#d0d0d0"))
        return self._placeholder

    def pixmap_or_placeholder(self, path: Path | str) -> QPixmap:
        return self.pixmap(path) or self.placeholder()

    def pixmap(self, path: Path | str) -> QPixmap | None:
        key = str(path)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        if key not in self._pending:
            self._pending.add(key)
            self._jobs.run(
                "thumbnail",
                lambda progress, cancel: load_thumbnail(Path(key), self.size, progress, cancel),
                on_result=lambda image, key=key: self._on_job_loaded(key, image),
                on_error=lambda _exc, key=key: self._pending.discard(key),
                quiet=True,
            )
        return None

    def _on_job_loaded(self, key: str, image: QImage) -> None:
        self._pending.discard(key)
        self._cache[key] = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        self.thumbnail_loaded.emit(key)

    def clear(self) -> None:
        self._cache.clear()
