"""Pure algorithms, grouped by capability: media, video, matching, geometry. No Qt, no workbench."""
