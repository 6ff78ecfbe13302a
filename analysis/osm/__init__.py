"""OpenStreetMap extracts: reading tagged features, and the search for candidate places."""
