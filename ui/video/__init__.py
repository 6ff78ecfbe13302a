"""The video panel: frame-exact viewer, timeline, loupe, enhancements, decoding worker."""
