"""Imagery tools of the window: the control-point dialog (an image beside a reference layer)."""
