"""Imagery in the case: reference layers (orthophotos, DEMs, registered images), the
references the ``georef`` command reads, and tile mosaics from the case's basemap sources."""
