"""Video: frame-exact decoding (PyAV), the frame table, probing, cuts, the flash finder,
enhancements.
"""
