"""Image matching: features, homographies, region search, continuity (plane + parallax), figures."""
