"""The Qt user interface: the main window and its panels, grouped by capability."""
