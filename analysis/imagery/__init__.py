"""Imagery, elevation and 2-D registration: georeferenced rasters, Web-Mercator mosaics,
digital elevation models and the fit of an image to the ground (issue 16, part A)."""
