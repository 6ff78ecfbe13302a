"""Synthetic media with exact truth for the tests and benchmarks (not shipped in the packages)."""
