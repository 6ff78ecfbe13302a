"""Typed errors of the analysis layer. Each message names the file and the problem."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error this project raises on purpose."""


class MediaError(WorkbenchError):
    """A media file could not be used."""


class UnsupportedMediaError(MediaError):
    """The file is not a kind of media the workbench handles (or has no usable stream)."""


class CorruptMediaError(MediaError):
    """The file claims to be media but is damaged or truncated."""


class MediaTooLargeError(MediaError):
    """Decoding the file would exceed a safety limit (a decompression bomb)."""


class GeometryError(WorkbenchError):
    """A geometric problem has no usable answer (parallel rays, degenerate input)."""


class GeoDataError(WorkbenchError):
    """A geodata file (KML, KMZ, GeoJSON) could not be read: malformed, unsafe or not geodata."""


class EnhancementError(WorkbenchError):
    """A display enhancement was asked with a parameter out of range or an unusable image."""
