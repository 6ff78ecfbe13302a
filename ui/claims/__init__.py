"""The Claims room: claims and hypotheses with their verdicts (not yet in the main window)."""
