"""The Sun panel: the sun over a day at a place, and the times the shadows fit."""
