"""OpenStreetMap in the case: the extract's cached index, searches, candidates as hypotheses."""
