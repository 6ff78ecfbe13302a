"""Loading a picture of an evidence for the viewer, on a worker thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage, QImageReader

from analysis.errors import CorruptMediaError
from analysis.jobs import CancelToken, ProgressFn, check
from ui.qimage import rgb_to_qimage

ALLOCATION_LIMIT_MB = 1024  # evidence was checked against a 200-megapixel limit at import


def load_preview(
    path: Path, kind: str, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> QImage:
    """The picture of an image evidence (EXIF orientation applied) or a video's poster frame."""
    check(cancel)
    if kind == "video":
        from analysis.media.thumbnails import make_thumbnail

        return rgb_to_qimage(make_thumbnail(path, "video", max_side=1920))
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    image = reader.read()
    if image.isNull():
        # Qt lacks some formats (HEIC): fall back to the analysis layer's reader.
        from analysis.media.thumbnails import make_thumbnail

        try:
            return rgb_to_qimage(make_thumbnail(path, "image", max_side=8192))
        except CorruptMediaError as exc:
            raise CorruptMediaError(f"{path}: {reader.errorString()} ({exc})") from exc
    return image
