"""Geometry on the WGS84 ellipsoid: geodesy, the camera model, bearings, rays, resection,
exports.
"""
