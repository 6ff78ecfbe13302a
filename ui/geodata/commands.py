"""The undoable record commands, now in ``ui.undo`` (the video room uses them too); kept
here under their old names for the geodata room's callers."""

from __future__ import annotations

from ui.undo import AddRecordCommand, DeleteRecordCommand, EditCommand, Start, Writes

__all__ = ["AddRecordCommand", "DeleteRecordCommand", "EditCommand", "Start", "Writes"]
