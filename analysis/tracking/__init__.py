"""Tracking an object across frames: methods, propagation, background registration."""
