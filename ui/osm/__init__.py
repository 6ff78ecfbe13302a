"""OpenStreetMap candidate search in the window (issue 16)."""
