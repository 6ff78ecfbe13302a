"""The map view: Leaflet in QtWebEngine, its bridge, basemaps, hypotheses, undoable edits."""
