"""Media intake: kind from content, EXIF and container metadata with clocks, integrity
checks, thumbnails.
"""
