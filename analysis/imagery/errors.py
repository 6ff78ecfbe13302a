"""Typed errors of the imagery room. Each message names the file and the problem."""

from __future__ import annotations

from analysis.errors import WorkbenchError


class GeoreferenceError(WorkbenchError):
    """An image has no usable georeference (none, a nonsense world file, an unknown CRS)."""


class DemError(GeoreferenceError):
    """An elevation model cannot be used (unreadable, no CRS, an unknown CRS, no data)."""


class RegistrationError(WorkbenchError):
    """Control points cannot give the asked transform (too few, collinear, degenerate)."""
