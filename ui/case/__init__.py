"""The case window: main window, evidence list, metadata, sources, notes, the audit log."""
