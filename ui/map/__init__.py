"""The map view: Leaflet in QtWebEngine, its bridge, basemaps, layers, and the edits made on it."""
