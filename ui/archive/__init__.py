"""The Archive window: a triaged catalog as a grid of keyframes, its near-duplicate groups, and
the way into a case (issue 19)."""
