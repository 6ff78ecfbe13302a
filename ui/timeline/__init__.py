"""The Timeline room: the case's events on one UTC axis (not yet in the main window)."""
