"""The Compare panel: two frames side by side, match lines, swipe, blink, overlay, verdicts."""
