"""Figures of the report: PNG bytes embedded as data: URIs and written beside the HTML.

Each figure is stored once as ``figures/<sha256>.png`` and embedded in the HTML with its
SHA-256 and its provenance line, so the one HTML file is whole and each figure can also be
checked on its own. A figure from graphic evidence is blurred when the report is asked to;
the report then gives the hash of the unblurred figure too, so the original can be matched.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from analysis.fileio import write_bytes_atomic
from workbench.report.markup import esc

FIGURES_DIR = "figures"
BLUR_RADIUS_FRACTION = 0.03  # of the longer side: faces and wounds no longer readable


@dataclass(frozen=True)
class StoredFigure:
    """A figure as the report holds it."""

    sha256: str  # of the PNG the report shows
    unblurred_sha256: str | None  # of the figure before blurring (None: not blurred)
    path: Path
    data_uri: str


def png_bytes(image: Image.Image | np.ndarray) -> bytes:
    """Deterministic PNG bytes (no time or text chunks) of an RGB array or Pillow image."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(np.ascontiguousarray(image))
    buf = io.BytesIO()
    image.save(buf, format="PNG")  # as `geoworkbench frame` saves it: the same bytes
    return buf.getvalue()


def blurred(png: bytes) -> bytes:
    """The PNG blurred (Gaussian, radius a fraction of its longer side)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    radius = max(4.0, BLUR_RADIUS_FRACTION * max(image.size))
    return png_bytes(image.filter(ImageFilter.GaussianBlur(radius)))


class FigureStore:
    """Collects the report's figures; ``write`` puts each once under ``out_dir/figures``
    (after the sections are done, so a cancelled report leaves no file behind)."""

    def __init__(self, out_dir: Path, *, blur_graphic: bool) -> None:
        self._dir = Path(out_dir) / FIGURES_DIR
        self._blur = blur_graphic
        self._pending: dict[str, bytes] = {}

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(self._dir / f"{k}.png" for k in sorted(self._pending))

    def write(self) -> tuple[Path, ...]:
        """Write every figure not already there with these bytes; their paths."""
        for digest, png in sorted(self._pending.items()):
            path = self._dir / f"{digest}.png"
            if not path.is_file() or path.read_bytes() != png:
                self._dir.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(path, png)
        return self.paths

    def add(self, png: bytes, *, graphic: bool = False) -> StoredFigure:
        unblurred = None
        if graphic and self._blur:
            unblurred = hashlib.sha256(png).hexdigest()
            png = blurred(png)
        digest = hashlib.sha256(png).hexdigest()
        path = self._dir / f"{digest}.png"
        self._pending.setdefault(digest, png)
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        return StoredFigure(digest, unblurred, path, uri)


def figure_html(fig: StoredFigure, caption: str, provenance_html: str, *, ident: str) -> str:
    """A <figure> with the image, its caption (HTML made safe) and its provenance line."""
    hashes = f'figure sha256 <span class="hash">{fig.sha256}</span>'
    if fig.unblurred_sha256 is not None:
        hashes += (
            " · blurred (graphic evidence); unblurred figure sha256 "
            f'<span class="hash unblurred">{fig.unblurred_sha256}</span>'
        )
    return (
        f'<figure id="{esc(ident)}" data-sha256="{fig.sha256}">'
        f'<img src="{fig.data_uri}" alt="{esc(ident)}">'
        f"<figcaption>{caption}<br>{hashes}"
        f'<br><span class="provenance">{provenance_html}</span></figcaption></figure>'
    )
