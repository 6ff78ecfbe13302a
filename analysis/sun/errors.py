"""Typed errors of the sun room: each message says what was wrong and what to do."""

from __future__ import annotations

from analysis.errors import WorkbenchError


class SunInputError(WorkbenchError, ValueError):
    """A place, time or measurement given to the sun model is unusable (out of range, no zone)."""


class SunBelowHorizonError(WorkbenchError):
    """The sun is below the horizon where a shadow was claimed (or never rises: polar night)."""
